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
  // The phone menu: a disclosure button for the main navigation. Without this file the links are
  // simply shown (the button stays hidden); on wide screens the stylesheet hides the button.
  var header = document.querySelector('.site-header');
  var toggle = header ? header.querySelector('button.nav-toggle') : null;
  var nav = document.getElementById('main-nav');
  if (header instanceof HTMLElement && toggle instanceof HTMLButtonElement && nav) {
    var setOpen = function (open) {
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      header.classList.toggle('nav-open', open);
    };
    toggle.hidden = false;
    header.classList.add('nav-collapsible');
    toggle.addEventListener('click', function () {
      setOpen(toggle.getAttribute('aria-expanded') !== 'true');
    });
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape' || toggle.getAttribute('aria-expanded') !== 'true') return;
      var inside = nav.contains(document.activeElement) || document.activeElement === toggle;
      setOpen(false);
      if (inside) toggle.focus();
    });
  }
  // Move focus to an error summary so screen readers announce it.
  var summary = document.querySelector('.error-summary');
  if (summary instanceof HTMLElement) summary.focus();
})();
