// The sync API (docs/offline-sync.md): the session's cookie and the CSRF token, JSON both ways.
// A 403 {"revoked": true} means the device was revoked: the caller wipes everything.

export class SyncError extends Error {
  constructor(status, body) {
    super(`sync ${status}`);
    this.status = status;
    this.body = body || {};
    this.revoked = Boolean(this.body.revoked);
    // Signed out (idle session, new sign-in elsewhere): the API answers 401, or 403 without "revoked".
    this.signedOut = status === 401 || (status === 403 && !this.revoked);
  }
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

async function call(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    redirect: "error",
    ...options,
    headers: {
      Accept: "application/json",
      ...(options.body ? { "Content-Type": "application/json", "X-CSRFToken": csrfToken() } : {}),
    },
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new SyncError(response.status, body);
  return body;
}

export class SyncApi {
  constructor(urls, deviceId) {
    this.urls = urls;
    this.deviceId = deviceId;
  }

  register(name) {
    return call(this.urls.devices, { method: "POST", body: JSON.stringify({ device_id: this.deviceId, name }) });
  }

  send(operations) {
    return call(this.urls.operations, {
      method: "POST",
      body: JSON.stringify({ device: this.deviceId, operations }),
    });
  }

  snapshot() {
    return call(`${this.urls.snapshot}?device=${encodeURIComponent(this.deviceId)}`);
  }

  acknowledge(opIds) {
    return call(this.urls.acknowledge, {
      method: "POST",
      body: JSON.stringify({ device: this.deviceId, op_ids: opIds }),
    });
  }
}
