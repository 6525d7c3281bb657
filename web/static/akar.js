/* akar's only script: small improvements on pages that work without it.
   - a tracking code field tidies what is typed (upper case, the dashes in place);
   - an element with data-confirm asks before its form is sent;
   - a form sent back with errors puts the focus on their summary (#errors);
   - a [data-print] button prints the page, a [data-locate] button fills the coordinates;
   - a photo input with data-max-bytes refuses a choice too large to send;
   - the submit form shows the questions of the subject chosen, and sends only theirs. */
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
  var errors = document.getElementById("errors");
  if (errors) errors.focus();
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  var lat = document.getElementById("f-lat"), lon = document.getElementById("f-lon");
  document.querySelectorAll("[data-locate]").forEach(function (b) {
    if (!navigator.geolocation || !lat || !lon) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        lat.value = p.coords.latitude.toFixed(6);
        lon.value = p.coords.longitude.toFixed(6);
      });
    });
  });
  var subject = document.getElementById("f-category");
  var groups = document.querySelectorAll("[data-questions] fieldset[data-category]");
  if (subject && groups.length) {
    document.querySelectorAll("[data-questions] [data-nojs]").forEach(function (p) { p.hidden = true; });
    var showChosen = function () {
      groups.forEach(function (g) {
        var off = g.getAttribute("data-category") !== subject.value;
        g.hidden = off;
        g.disabled = off;
      });
    };
    subject.addEventListener("change", showChosen);
    showChosen();
  }
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var note = document.createElement("span");
    note.className = "error-text";
    note.setAttribute("role", "alert");
    input.parentNode.insertBefore(note, input);
    input.addEventListener("change", function () {
      var total = 0;
      for (var i = 0; i < input.files.length; i++) total += input.files[i].size;
      var bad = input.files.length > +input.getAttribute("data-max-files") ||
        total > +input.getAttribute("data-max-bytes");
      note.textContent = bad ? input.getAttribute("data-too-big") : "";
      if (bad) input.value = "";
    });
  });
})();
