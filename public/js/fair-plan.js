/*
 * The hall floor plan, enhanced: zoom buttons for the plan's scroll box, and on the allocation page
 * each free booth on the plan becomes a checkbox tied to its twin in the booth list (click, Enter
 * or Space). Without JavaScript the plan scales to the page, its booth links jump to the list, and
 * the table twin is one link away.
 */
(function () {
  'use strict';
  var STEPS = [1, 1.5, 2, 3, 4];

  function setupZoom(figure) {
    var tools = figure.querySelector('.fp-zoom');
    var box = figure.querySelector('.fp-scroll');
    var svg = box && box.querySelector('svg');
    if (!tools || !svg) return;
    var baseWidth = Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width;
    var step = 0;
    function apply() {
      if (step === 0) {
        box.classList.remove('fp-zoomed');
        svg.removeAttribute('style');
        svg.setAttribute('width', String(baseWidth));
      } else {
        box.classList.add('fp-zoomed');
        svg.setAttribute('width', String(Math.round(Math.min(box.clientWidth, baseWidth) * STEPS[step])));
      }
      tools.querySelector('[data-zoom="out"]').disabled = step === 0;
      tools.querySelector('[data-zoom="in"]').disabled = step === STEPS.length - 1;
    }
    tools.addEventListener('click', function (e) {
      var button = e.target.closest('[data-zoom]');
      if (!button) return;
      var kind = button.getAttribute('data-zoom');
      if (kind === 'in') step = Math.min(STEPS.length - 1, step + 1);
      else if (kind === 'out') step = Math.max(0, step - 1);
      else step = 0;
      apply();
    });
    tools.hidden = false;
    apply();
  }

  function setupPicking(figure) {
    var links = figure.querySelectorAll('a.fp-pick');
    Array.prototype.forEach.call(links, function (link) {
      var box = document.getElementById('pick-' + link.getAttribute('data-booth'));
      if (!box) return;
      link.setAttribute('role', 'checkbox');
      function sync() { link.setAttribute('aria-checked', box.checked ? 'true' : 'false'); }
      function toggle(e) {
        e.preventDefault();
        box.checked = !box.checked;
        box.dispatchEvent(new Event('change', { bubbles: true }));
      }
      link.addEventListener('click', toggle);
      link.addEventListener('keydown', function (e) {
        if (e.key === ' ' || e.key === 'Spacebar') toggle(e);
      });
      box.addEventListener('change', sync);
      sync();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-plan]'), function (figure) {
    setupZoom(figure);
    setupPicking(figure);
  });
})();
