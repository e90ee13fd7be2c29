// The portal's service worker (served as /web/sw.js, scope /web/): shows
// Web Push notifications and opens the page they are about on click.
//
// A push's payload is what the service sends (notifications/webpush.py):
// {"title", "body", "urgent", "url", "data": {"kind", "notification_id", ...}}.
// The text never holds a health reason or a message body; the page opened
// shows those after sign-in.
"use strict";

function portalPath(url) {
  // Only the portal's own pages: never another origin, whatever a payload says.
  return typeof url === "string" && url.indexOf("/web/") === 0 && url.indexOf("//") !== 0 ? url : "/web/";
}

self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (e) {
    message = {};
  }
  var data = message.data || {};
  var options = {
    body: message.body || "",
    data: { url: portalPath(message.url) },
    requireInteraction: Boolean(message.urgent),
  };
  if (data.case_id) {
    options.tag = "case:" + data.case_id; // a newer alert about a case replaces the older one
  }
  event.waitUntil(self.registration.showNotification(message.title || "Skolebro", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var path = portalPath(event.notification.data && event.notification.data.url);
  var target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i += 1) {
        if (windows[i].url === target && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(target);
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});
