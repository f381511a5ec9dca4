// "/" focuses the global search box (UX: frame), unless the user is typing somewhere.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
  const box = document.getElementById("global-search");
  if (box) { event.preventDefault(); box.focus(); }
});

// CHAT-2 autocomplete: after "@", suggest people and group handles. ArrowDown/ArrowUp move
// through the list, Enter or Tab inserts the highlighted handle, Escape closes it; a click
// inserts too. Before posting, a handle nobody answers to is flagged under the box (the post
// would notify nobody), with "Post anyway" for text that only looks like a handle.
(function () {
  let timer = null;
  const HANDLE = /(?:^|[^\w@.])@([\w.+-]+)/g;
  function currentHandle(area) {
    const upto = area.value.slice(0, area.selectionStart);
    const m = upto.match(/(?:^|[^\w@.])@([\w.+-]*)$/);
    return m ? m[1] : null;
  }
  function boxOf(area) { return area.parentElement.querySelector(".mention-suggestions"); }
  function close(box) { box.hidden = true; box.innerHTML = ""; }
  function options(box) { return Array.prototype.slice.call(box.querySelectorAll("button")); }
  function highlight(box, index) {
    const items = options(box);
    items.forEach(function (b, i) {
      b.classList.toggle("active", i === index);
      b.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    box.dataset.index = String(index);
  }
  function insert(area, handle) {
    const start = area.selectionStart;
    const before = area.value.slice(0, start).replace(/@[\w.+-]*$/, handle + " ");
    area.value = before + area.value.slice(start);
    area.focus();
    area.selectionStart = area.selectionEnd = before.length;
    close(boxOf(area));
    const flag = area.form && area.form.querySelector(".mention-unknown");
    if (flag) flag.remove();
  }
  function lookup(q) {
    return fetch("/notifications/mentions/?q=" + encodeURIComponent(q), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { return data.results; });
  }
  document.addEventListener("input", function (event) {
    const area = event.target;
    if (!area.classList || !area.classList.contains("mention-input")) return;
    const box = boxOf(area);
    const q = currentHandle(area);
    if (q === null || !box) { if (box) close(box); return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      lookup(q).then(function (results) {
        box.innerHTML = "";
        box.setAttribute("role", "listbox");
        results.forEach(function (item) {
          const b = document.createElement("button");
          b.type = "button";
          b.setAttribute("role", "option");
          b.className = "list-group-item list-group-item-action py-1 small";
          b.textContent = item.handle + " — " + item.label;
          b.dataset.handle = item.handle;
          b.addEventListener("click", function () { insert(area, item.handle); });
          box.appendChild(b);
        });
        box.hidden = results.length === 0;
        if (results.length) highlight(box, 0);
      });
    }, 150);
  });
  document.addEventListener("keydown", function (event) {
    const area = event.target;
    if (!area.classList || !area.classList.contains("mention-input")) return;
    const box = boxOf(area);
    if (!box || box.hidden) return;
    const items = options(box);
    let index = Number(box.dataset.index || 0);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      index = (index + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      highlight(box, index);
    } else if ((event.key === "Enter" || event.key === "Tab") && items[index]) {
      event.preventDefault();
      insert(area, items[index].dataset.handle);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(box);
    }
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const area = form.querySelector && form.querySelector(".mention-input");
    if (!area || form.dataset.mentionsChecked === "1") return;
    const handles = [];
    let m;
    HANDLE.lastIndex = 0;
    while ((m = HANDLE.exec(area.value)) !== null) {
      const h = m[1].replace(/[.+-]+$/, "").toLowerCase();
      if (h && handles.indexOf(h) === -1) handles.push(h);
    }
    if (!handles.length) return;
    event.preventDefault();
    Promise.all(handles.map(function (h) {
      return lookup(h).then(function (results) {
        const known = results.some(function (r) { return r.handle.toLowerCase() === "@" + h; });
        return known ? null : "@" + h;
      });
    })).then(function (unknown) {
      unknown = unknown.filter(Boolean);
      const old = form.querySelector(".mention-unknown");
      if (old) old.remove();
      if (!unknown.length) { form.dataset.mentionsChecked = "1"; form.requestSubmit(); return; }
      const flag = document.createElement("div");
      flag.className = "mention-unknown small text-danger mb-1";
      flag.setAttribute("role", "alert");
      flag.textContent = unknown.join(", ") + (unknown.length === 1 ? " is" : " are") +
        " nobody here, so nobody would be told. Pick a name from the list, or ";
      const anyway = document.createElement("button");
      anyway.type = "button";
      anyway.className = "btn btn-link btn-sm p-0 align-baseline";
      anyway.textContent = "post anyway";
      anyway.addEventListener("click", function () { form.dataset.mentionsChecked = "1"; form.requestSubmit(); });
      flag.appendChild(anyway);
      flag.appendChild(document.createTextNode("."));
      area.insertAdjacentElement("afterend", flag);
    }).catch(function () { form.dataset.mentionsChecked = "1"; form.requestSubmit(); });
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
  const scope = bar.querySelector("input[name=scope]");
  const matching = bar.querySelector("[data-select-matching]");
  const wholePage = chosen > 0 && chosen === boxes.length;
  if (scope && !wholePage) scope.value = "page";
  if (count) {
    count.textContent = scope && scope.value === "all"
      ? "All " + bar.dataset.matchingLabel + " matching rows selected"
      : (chosen === 1 ? "1 row selected" : chosen + " rows selected");
  }
  if (matching) matching.hidden = !wholePage || scope.value === "all";
  const all = document.querySelector('[data-select-all="' + bar.id + '"]');
  if (all) { all.checked = wholePage; all.indeterminate = chosen > 0 && chosen < boxes.length; }
}
// VIEW-5: with the whole page selected, "Select all N matching rows" widens the action to
// every row the view's filters match (the server reads them again: core.mass scope=all).
document.addEventListener("click", function (event) {
  const button = event.target.closest && event.target.closest("[data-select-matching]");
  if (!button) return;
  const bar = button.closest("form[data-bulk-bar]");
  bar.querySelector("input[name=scope]").value = "all";
  syncBulkBar(bar);
});
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

// Destructive steps confirm with their numbers (UX): a form with data-confirm asks its
// question; the bulk bar asks "Apply … to 25 selected rows?".
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!form.matches) return;
  let question = null;
  if (form.matches("form[data-confirm]")) {
    question = form.dataset.confirm;
  } else if (form.matches("form[data-bulk-bar]")) {
    const chosen = document.querySelectorAll('input[name="ids"][form="' + form.id + '"]:checked').length;
    const action = form.querySelector("[name=action]");
    const what = action ? action.options[action.selectedIndex].text : "this action";
    const scope = form.querySelector("input[name=scope]");
    question = scope && scope.value === "all"
      ? "Apply “" + what + "” to all " + form.dataset.matchingLabel + " matching rows?"
      : "Apply “" + what + "” to " + chosen + " selected row" + (chosen === 1 ? "" : "s") + "?";
  }
  if (question && !window.confirm(question)) event.preventDefault();
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

// The log dialog (UX: small writes open small dialogs). A form marked data-log-dialog (a
// row's "Log call", a record's "Log e-mail") opens #log-dialog instead of posting at once:
// subject, outcome (the two-way outcomes tick "Two-way"), notes and an optional follow-up
// task due the next working day. Enter saves (Ctrl+Enter in the notes), Escape closes. The
// answer goes where the opening form says (data-result); a refusal stays in the dialog.
// An "Undo" in the answer lasts data-undo-seconds; the timeline reloads (timelineChanged).
(function () {
  const dialog = document.getElementById("log-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const form = dialog.querySelector("form");
  const outcome = form.elements.outcome;
  const error = form.querySelector(".ld-error");
  let opener = null;
  function nextWorkingDay() {
    const d = new Date();
    do { d.setDate(d.getDate() + 1); } while (d.getDay() === 0 || d.getDay() === 6);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function syncTwoWay() {
    const chosen = outcome.options[outcome.selectedIndex];
    form.elements.two_way.checked = Boolean(chosen && chosen.hasAttribute("data-two-way"));
  }
  function syncFollowUp() {
    form.querySelector(".ld-follow-fields").hidden = !form.elements.follow_up.checked;
  }
  function open(source) {
    opener = source;
    const kind = source.elements.kind.value;
    const person = source.dataset.person || "";
    form.reset();
    form.action = source.action;
    form.elements.kind.value = kind;
    dialog.querySelector("#log-dialog-title").textContent = (kind === "call" ? "Log a call with " : "Log an e-mail to ") + person;
    form.elements.subject.value = (kind === "call" ? "Call with " : "E-mail to ") + person;
    let first = null;
    Array.prototype.forEach.call(outcome.options, function (o) {
      const mine = o.dataset.kind === kind;
      o.hidden = !mine; o.disabled = !mine;
      if (mine && first === null) first = o;
    });
    if (first) first.selected = true;
    syncTwoWay();
    form.elements.follow_up_subject.value = "Follow up with " + person;
    form.elements.follow_up_due.value = nextWorkingDay();
    syncFollowUp();
    error.hidden = true; error.textContent = "";
    dialog.showModal();
    form.elements.subject.focus();
    form.elements.subject.select();
  }
  document.addEventListener("submit", function (event) {
    const source = event.target;
    if (!source.matches || !source.matches("form[data-log-dialog]")) return;
    event.preventDefault();
    open(source);
  });
  outcome.addEventListener("change", syncTwoWay);
  form.elements.follow_up.addEventListener("change", syncFollowUp);
  dialog.querySelectorAll("[data-dialog-close]").forEach(function (b) {
    b.addEventListener("click", function () { dialog.close(); });
  });
  dialog.addEventListener("close", function () {
    const button = opener && opener.querySelector("button");
    const menu = opener && opener.closest("details.action-menu");
    if (menu) { menu.open = false; menu.querySelector("summary").focus(); } else if (button) button.focus();
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey) return;
    const tag = event.target.tagName;
    if (tag === "TEXTAREA" && !(event.ctrlKey || event.metaKey)) return;
    if (tag === "BUTTON") return;
    event.preventDefault();
    form.requestSubmit();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const saving = form.querySelector("[type=submit]");
    saving.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"HX-Request": "true"},
    }).then(function (response) {
      return response.text().then(function (html) { return {response: response, html: html}; });
    }).then(function (answer) {
      const holder = document.createElement("div");
      holder.innerHTML = answer.html;
      const refused = holder.querySelector("[data-refused]");
      if (refused || !answer.response.ok) {
        error.textContent = refused ? refused.textContent : "The activity could not be logged; try again.";
        error.hidden = false;
        return;
      }
      const target = document.querySelector(opener.dataset.result || "#log-result");
      if (target) { target.innerHTML = answer.html; showResult(target); }
      dialog.close();
      if (answer.response.headers.get("HX-Trigger") === "timelineChanged") {
        document.body.dispatchEvent(new Event("timelineChanged"));
      }
    }).catch(function () {
      error.textContent = "The portal did not answer; nothing was logged. Try again.";
      error.hidden = false;
    }).finally(function () { saving.disabled = false; });
  });
  function showResult(target) {
    if (window.htmx) window.htmx.process(target);
    target.querySelectorAll("[data-undo-seconds]").forEach(function (undo) {
      setTimeout(function () { undo.remove(); }, Number(undo.dataset.undoSeconds) * 1000);
    });
  }
})();

// Lists (UX keyboard): ArrowDown / ArrowUp move between rows (to each row's first link),
// Enter opens it. Not while typing, in a menu or in a dialog.
document.addEventListener("keydown", function (event) {
  if ((event.key !== "ArrowDown" && event.key !== "ArrowUp") || event.altKey || event.ctrlKey || event.metaKey) return;
  const active = document.activeElement || document.body;
  const tag = active.tagName;
  if ((tag === "INPUT" && active.type !== "checkbox") || tag === "TEXTAREA" || tag === "SELECT") return;
  if (active.closest("dialog, details[open], .mention-suggestions")) return;
  const body = document.querySelector("table.table-dense tbody");
  if (!body) return;
  const rows = Array.prototype.filter.call(body.rows, function (tr) { return tr.querySelector("a[href]"); });
  if (!rows.length) return;
  const down = event.key === "ArrowDown";
  let index = rows.indexOf(active.closest("tr"));
  index = index === -1 ? (down ? 0 : rows.length - 1) : index + (down ? 1 : -1);
  if (index < 0 || index >= rows.length) return;
  event.preventDefault();
  rows[index].querySelector("a[href]").focus();
});

// ROUTE-4 on a record page: the SLA clock counts on — "12 min left", amber under 15 minutes,
// red "overdue by 5 min" once past (records.sla_clock writes the first reading).
(function () {
  const clocks = document.querySelectorAll("[data-sla-due]");
  if (!clocks.length) return;
  function words(seconds) {
    let minutes = Math.max(Math.floor(seconds / 60), 0);
    const days = Math.floor(minutes / 1440); minutes -= days * 1440;
    const hours = Math.floor(minutes / 60); minutes -= hours * 60;
    if (days) return days + " d" + (hours ? " " + hours + " h" : "");
    if (hours) return hours + " h" + (minutes ? " " + minutes + " min" : "");
    return minutes + " min";
  }
  function tick() {
    const now = Date.now();
    clocks.forEach(function (clock) {
      const left = (Date.parse(clock.dataset.slaDue) - now) / 1000;
      clock.textContent = left < 0 ? "overdue by " + words(-left) : words(left) + " left";
      clock.classList.toggle("text-bg-danger", left < 0);
      clock.classList.toggle("text-bg-warning", left >= 0 && left < 900);
      clock.classList.toggle("text-bg-light", left >= 900);
      clock.classList.toggle("border", left >= 900);
    });
  }
  tick();
  setInterval(tick, 30000);
})();
