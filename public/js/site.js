// Small progressive enhancements; every page works without this file.
(function () {
  'use strict';
  // Confirm destructive actions: <form data-confirm="...">
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // Move focus to an error summary so screen readers announce it.
  var summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();
})();
