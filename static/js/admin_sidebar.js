// Django's back office opens its navigation sidebar unless someone closed it
// with its button (remembered in localStorage). Below 1200 px it leaves too
// little room for the list beside it: there it starts closed, and the button
// still opens it. Loaded before Django's nav_sidebar.js (deferred), which reads
// the choice; the stand-in choice is taken back once it has, so that only a
// press of the button is remembered.
{
  const key = "django.admin.navSidebarIsOpen";
  if (localStorage.getItem(key) === null && window.innerWidth < 1200) {
    localStorage.setItem(key, "false");
    document.addEventListener("DOMContentLoaded", () => {
      if (localStorage.getItem(key) === "false") {
        localStorage.removeItem(key);
      }
    });
  }
}
