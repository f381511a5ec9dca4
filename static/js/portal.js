// "/" focuses the global search box (UX: frame), unless the user is typing somewhere.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
  const box = document.getElementById("global-search");
  if (box) { event.preventDefault(); box.focus(); }
});

// CHAT-2 autocomplete: after "@", suggest people and group handles; Enter/click inserts.
(function () {
  let timer = null;
  function currentHandle(area) {
    const upto = area.value.slice(0, area.selectionStart);
    const m = upto.match(/(?:^|[^\w@.])@([\w.+-]*)$/);
    return m ? m[1] : null;
  }
  function close(box) { box.hidden = true; box.innerHTML = ""; }
  document.addEventListener("input", function (event) {
    const area = event.target;
    if (!area.classList || !area.classList.contains("mention-input")) return;
    const box = area.parentElement.querySelector(".mention-suggestions");
    const q = currentHandle(area);
    if (q === null || !box) { if (box) close(box); return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch("/notifications/mentions/?q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          box.innerHTML = "";
          data.results.forEach(function (item) {
            const b = document.createElement("button");
            b.type = "button";
            b.className = "list-group-item list-group-item-action py-1 small";
            b.textContent = item.handle + " — " + item.label;
            b.addEventListener("click", function () {
              const start = area.selectionStart;
              const before = area.value.slice(0, start).replace(/@[\w.+-]*$/, item.handle + " ");
              area.value = before + area.value.slice(start);
              area.focus();
              area.selectionStart = area.selectionEnd = before.length;
              close(box);
            });
            box.appendChild(b);
          });
          box.hidden = data.results.length === 0;
        });
    }, 150);
  });
})();

// A select marked data-autosubmit (page size of the lists) submits its form on change — a
// listener here, because the Content-Security-Policy allows no inline handlers (Q-SEC).
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// A record page answered at a form's POST address (a refused stage or status change shows
// the page with its message) puts the record's own address back, so a reload or a bookmark
// opens the record instead of re-sending the form.
(function () {
  const canonical = document.querySelector('link[rel="canonical"]');
  if (!canonical) return;
  const url = new URL(canonical.href, window.location.href);
  if (url.pathname !== window.location.pathname) {
    window.history.replaceState(null, "", url.pathname + window.location.hash);
  }
})();

// Lists (VIEW-5): the bulk bar shows only once a row is selected and says how many; the
// header's box selects every row on the page. Without JavaScript the bar is always shown.
function syncBulkBar(bar) {
  const boxes = document.querySelectorAll('input[name="ids"][form="' + bar.id + '"]');
  const chosen = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
  bar.hidden = chosen === 0;
  const count = bar.querySelector("[data-selected-count]");
  if (count) count.textContent = chosen === 1 ? "1 row selected" : chosen + " rows selected";
  const all = document.querySelector('[data-select-all="' + bar.id + '"]');
  if (all) { all.checked = chosen > 0 && chosen === boxes.length; all.indeterminate = chosen > 0 && chosen < boxes.length; }
}
document.querySelectorAll("form[data-bulk-bar]").forEach(syncBulkBar);
document.addEventListener("change", function (event) {
  const box = event.target;
  const formId = box.dataset && box.dataset.selectAll;
  if (formId) {
    document.querySelectorAll('input[name="ids"][form="' + formId + '"]').forEach(function (b) { b.checked = box.checked; });
  }
  const bar = document.getElementById(formId || box.getAttribute("form") || "");
  if (bar && bar.hasAttribute("data-bulk-bar")) syncBulkBar(bar);
});

// Menus (details.action-menu): Escape closes the open one and returns focus to its button;
// a click elsewhere closes them; opening one closes the others.
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  const open = document.activeElement && document.activeElement.closest("details.action-menu[open]");
  if (open) { open.open = false; open.querySelector("summary").focus(); }
});
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.action-menu[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) menu.open = false;
  });
});

// Stage form: closing an opportunity (Closed Won / Lost) asks once more before it goes.
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!form.matches || !form.matches(".stage-form[data-confirm-stages]")) return;
  const stage = form.querySelector("[name=stage]").value;
  if (form.dataset.confirmStages.split("|").indexOf(stage) === -1) return;
  if (!window.confirm("Move " + (form.dataset.record || "this opportunity") + " to " + stage + "? This closes the opportunity.")) {
    event.preventDefault();
  }
});

// Stage form: show the fields the chosen target stage needs (OPP-V3/V6/V8/V9); without
// JavaScript every field shows and the server still refuses what is missing.
document.addEventListener("change", function (event) {
  if (event.target.name !== "stage" || !event.target.closest(".stage-form")) return;
  showStageFields(event.target.closest(".stage-form"));
});
function showStageFields(form) {
  const stage = form.querySelector("[name=stage]").value;
  form.querySelectorAll(".stage-field").forEach(function (box) {
    box.hidden = box.dataset.stages.split("|").indexOf(stage) === -1;
  });
}
document.querySelectorAll(".stage-form").forEach(showStageFields);

// Inline edit on record pages (CONTRACT 6): click a field's value (or its pencil) to edit it
// in place; Enter saves (Shift+Enter is a new line in long text), Escape cancels. Without
// JavaScript the pencil opens the record's edit form at that field.
document.addEventListener("click", function (event) {
  const cell = event.target.closest("td.inline-editable");
  if (!cell || event.target.closest("a, button, form")) return;
  const pencil = cell.querySelector(".inline-edit-link");
  if (pencil) pencil.click();
});
document.addEventListener("keydown", function (event) {
  const form = event.target.closest && event.target.closest(".inline-edit-form");
  if (!form) return;
  if (event.key === "Escape") {
    event.preventDefault();
    form.querySelector(".inline-edit-cancel").click();
  } else if (event.key === "Enter" && !event.shiftKey
             && (event.target.tagName === "TEXTAREA" || event.target.tagName === "SELECT")) {
    event.preventDefault();
    form.requestSubmit();
  }
});
document.addEventListener("htmx:afterSwap", function (event) {
  const input = event.target.querySelector && event.target.querySelector(
    ".inline-edit-form input:not([type=hidden]), .inline-edit-form select, .inline-edit-form textarea");
  if (input) input.focus();
});
// After the user's own inline save, the page's other forms (stage, status, contact roles …)
// that showed the version the save started from carry the new one (Q-CONC stays for others).
document.body.addEventListener("recordVersion", function (event) {
  document.querySelectorAll("main input[name=version]").forEach(function (input) {
    if (Number(input.value) === event.detail.seen) input.value = String(event.detail.now);
  });
});
