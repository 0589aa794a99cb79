// Django's filter for long choice lists (SelectFilter2.js) names the search
// icon in a field's label with an aria-label on a plain span, which assistive
// technology ignores (ARIA forbids it there): give the icon the role of an
// image so the label, and with it the search field, has a name. Django sets
// the widget up on "load", in a listener added before this one.
window.addEventListener("load", () => {
  for (const icon of document.querySelectorAll(".selector .search-label-icon[aria-label]")) {
    icon.setAttribute("role", "img");
  }
});
