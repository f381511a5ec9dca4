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
