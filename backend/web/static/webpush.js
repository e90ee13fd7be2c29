// "Notify me in this browser" on /web/settings/notifications.
//
// Only an improvement: without JavaScript (or the Push API) the page says so
// and everything else works. With it, the button asks for permission,
// registers the service worker (/web/sw.js, scope /web/), subscribes with
// the service's VAPID public key and posts the subscription to the portal
// with the session's CSRF token; the portal stores it as a "webpush" device.
(function () {
  "use strict";
  var box = document.getElementById("webpush");
  if (!box) {
    return;
  }
  var status = document.getElementById("webpush-status");
  var button = document.getElementById("webpush-enable");
  var nojs = document.getElementById("webpush-nojs");
  if (nojs) {
    nojs.hidden = true;
  }
  box.hidden = false;

  function say(name) {
    status.textContent = box.getAttribute("data-text-" + name) || "";
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    button.hidden = true;
    say("unsupported");
    return;
  }

  // The key as pushManager.subscribe wants it: bytes, from base64url.
  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      out[i] = raw.charCodeAt(i);
    }
    return out;
  }

  // Posts the subscription to the portal: new, or refreshed (the service prunes
  // browsers it has not heard from in 270 days, and keys may have changed).
  async function send(subscription) {
    var json = subscription.toJSON();
    var body = new URLSearchParams();
    body.set("csrf_token", box.getAttribute("data-csrf"));
    body.set("endpoint", json.endpoint);
    body.set("p256dh", json.keys.p256dh);
    body.set("auth", json.keys.auth);
    var answer = await fetch(box.getAttribute("data-post"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    say(answer.ok ? "done" : "failed");
  }

  async function subscribe() {
    var permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say("denied");
      return;
    }
    await navigator.serviceWorker.register("/web/sw.js", { scope: "/web/" });
    var registration = await navigator.serviceWorker.ready;
    var subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.getAttribute("data-key")),
      });
    }
    await send(subscription);
  }

  // Already allowed and subscribed on an earlier visit: refresh it quietly.
  async function refresh() {
    if (Notification.permission !== "granted") {
      return;
    }
    var registration = await navigator.serviceWorker.getRegistration("/web/");
    var subscription = registration && (await registration.pushManager.getSubscription());
    if (subscription) {
      await send(subscription);
    }
  }

  refresh().catch(function () {
    // Nothing to say: the button is still there.
  });

  button.addEventListener("click", function () {
    button.disabled = true;
    subscribe()
      .catch(function () {
        say("failed");
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
