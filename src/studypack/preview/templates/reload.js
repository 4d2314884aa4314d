/* Reload when the server has a newer build than the one this page shows; the
   browser keeps the scroll position. EventSource reconnects by itself. */
(function () {
  var shown = {{ generation }}, status = document.querySelector("#studypack-preview .status");
  var events = new EventSource("{{ events }}?seen=" + shown);
  events.onmessage = function (e) {
    if (Number(e.data) !== shown) { status.textContent = "reloading\u2026"; events.close(); location.reload(); }
  };
  events.onopen = function () { status.textContent = ""; };
  events.onerror = function () { status.textContent = "not connected: is studypack preview still running?"; };
})();
