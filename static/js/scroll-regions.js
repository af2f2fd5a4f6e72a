// A table wider than the screen scrolls inside its frame (.table-responsive): such a frame takes
// the keyboard's focus, so that it scrolls without a mouse (WCAG 2.1.1); one that fits does not.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-responsive").forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth) {
        frame.tabIndex = 0;
      } else {
        frame.removeAttribute("tabindex");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
