// Fields required only in some cases (web/forms.py: the schema's if/then): when the case holds, the field gets
// its * and becomes required in the browser; otherwise neither. The page states the case in words as well, and
// the server checks the schema whatever the browser did. No inline script (CSP script-src 'self').
(function () {
  "use strict";
  function holds(form, other, values) {
    var control = form.elements.namedItem(other);
    if (!control) { return false; }
    if (control.type === "checkbox") { return values.indexOf(control.checked) !== -1; }
    return values.indexOf(control.value) !== -1;
  }
  function update(form) {
    form.querySelectorAll("label[data-required-when]").forEach(function (label) {
      var cases = JSON.parse(label.dataset.requiredWhen);
      var required = cases.some(function (c) { return holds(form, c[0], c[1]); });
      var input = label.querySelector("input, select, textarea");
      if (input) { input.required = required; }
      var mark = label.querySelector(".req");
      if (mark) { mark.hidden = !required; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("label[data-required-when]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
