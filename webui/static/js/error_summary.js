// Every page: a form that comes back refused shows an error summary (role="alert", data-focus-on-load); the focus
// moves to it when the page loads, so a keyboard or screen-reader user hears the list first, and each of its links
// moves the focus to its field (a plain "#id" link would only scroll).
(function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#'], .problems a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    }
  });
})();
