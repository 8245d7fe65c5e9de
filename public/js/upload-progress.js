// Progress bar for forms with files (<form data-upload-progress>). Without JavaScript, or when
// no file is chosen, the form is sent the ordinary way. With files, it is sent with
// XMLHttpRequest so the upload can be shown; the answer (the saved practice, or the form with its
// errors) then replaces the page, at the address the server ended on.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-upload-progress]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function (event) {
      var inputs = form.querySelectorAll('input[type=file]');
      var hasFiles = Array.prototype.some.call(inputs, function (i) { return i.files && i.files.length > 0; });
      if (!hasFiles || !window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var data = new FormData(form);
      var submitter = event.submitter;
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      var box = form.querySelector('.upload-progress');
      var bar = form.querySelector('.upload-progress progress');
      var label = form.querySelector('[data-progress-label]');
      var buttons = form.querySelectorAll('button[type=submit]');
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      if (box) box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable && bar) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.upload.addEventListener('load', function () {
        if (bar) bar.value = 100;
        if (label) label.textContent = label.dataset.labelDone;
      });
      xhr.addEventListener('load', function () {
        var html = xhr.responseText;
        var url = xhr.responseURL || form.action;
        document.open();
        document.write(html);
        document.close();
        if (url !== window.location.href) window.history.replaceState(null, '', url);
      });
      xhr.addEventListener('error', function () {
        if (label) label.textContent = label.dataset.labelFailed;
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      });
      xhr.send(data);
    });
  });
})();
