// "/" focuses the global search box (UX: frame), unless the user is typing somewhere.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
  const box = document.getElementById("global-search");
  if (box) { event.preventDefault(); box.focus(); }
});
