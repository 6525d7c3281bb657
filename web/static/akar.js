/* akar's only script: small improvements on pages that work without it.
   - a tracking code field tidies what is typed (upper case, the dashes in place);
   - an element with data-confirm asks before its form is sent. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-tracking-code]").forEach(function (input) {
    input.addEventListener("blur", function () {
      var s = input.value.toUpperCase().replace(/[^0-9A-Z]/g, "");
      if (s.length === 11) input.value = s.slice(0, 4) + "-" + s.slice(4, 8) + "-" + s.slice(8);
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    var form = el.form || el.closest("form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
})();
