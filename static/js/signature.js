/* A signature drawn with a finger, stylus or mouse on <canvas data-signature="FIELD">.
   On submit the drawing goes into the form's hidden input FIELD as a PNG data URL;
   an untouched canvas sends nothing, and the server answers "Draw the signature." */
(function () {
  "use strict";

  function setUp(canvas) {
    var form = canvas.closest("form");
    var input = form.querySelector('input[name="' + canvas.dataset.signature + '"]');
    var clearButton = form.querySelector("[data-signature-clear]");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    var last = null;

    function fit() {
      // Backing pixels follow the displayed size and the screen's density, so lines are sharp.
      var ratio = window.devicePixelRatio || 1;
      var box = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(box.width * ratio));
      canvas.height = Math.max(1, Math.round(box.height * ratio));
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      ctx.fillStyle = "#111";
      drawn = false;
    }

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = at(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
      drawn = true;
    });

    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      event.preventDefault();
      var points = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      if (!points.length) points = [event];
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      points.forEach(function (p) {
        last = at(p);
        ctx.lineTo(last.x, last.y);
      });
      ctx.stroke();
    });

    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("lostpointercapture", stop);

    if (clearButton) {
      clearButton.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        input.value = "";
        drawn = false;
      });
    }

    form.addEventListener("submit", function () {
      input.value = drawn ? canvas.toDataURL("image/png") : "";
    });

    // Turning the phone resizes the canvas; an empty one is simply refitted.
    window.addEventListener("resize", function () {
      if (!drawn) fit();
    });

    fit();
  }

  function start() {
    document.querySelectorAll("canvas[data-signature]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
