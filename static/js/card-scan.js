// Scans a registration card's QR code with the device's camera where the browser can
// (BarcodeDetector: Chrome on Android); elsewhere the token is typed, or a USB scanner types it.
(function () {
  "use strict";
  var button = document.querySelector("[data-card-scan]");
  var video = document.querySelector("[data-card-video]");
  if (!button || !video || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  var input = document.getElementById(button.getAttribute("data-target"));
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        video.classList.remove("d-none");
        return video.play().then(function () {
          return stream;
        });
      })
      .then(function (stream) {
        function look() {
          detector.detect(video).then(function (codes) {
            var found = codes.find(function (c) { return /^DDR-[0-9A-F]{20}$/.test(c.rawValue); });
            if (found) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              input.value = found.rawValue;
              input.form.submit();
            } else {
              window.requestAnimationFrame(look);
            }
          }).catch(function () { window.setTimeout(look, 300); });
        }
        look();
      })
      .catch(function () {
        button.disabled = true;
      });
  });
})();
