// Security keys and passkeys (WebAuthn): a form marked data-webauthn="create" (add a key, the account page) or
// "get" (the second sign-in step). Its button fetches the options (POST data-options-url, with the form's CSRF
// token), asks the browser's authenticator, and posts the answer in the form's hidden "credential" field as JSON
// (base64url for the binary parts, what py_webauthn reads). The server keeps the challenge and checks everything.
(function () {
  "use strict";

  function toBuffer(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var binary = atob(b64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) { return Object.assign({}, d, { id: toBuffer(d.id) }); });
  }

  function publicKey(kind, options) {
    options.challenge = toBuffer(options.challenge);
    if (kind === "create") {
      options.user.id = toBuffer(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
    } else {
      options.allowCredentials = descriptors(options.allowCredentials);
    }
    return options;
  }

  function answer(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults()
    });
  }

  function start(form, button) {
    var kind = form.dataset.webauthn;
    var problem = form.querySelector("[data-webauthn-error]");
    function fail(message) { problem.textContent = message; problem.hidden = false; button.disabled = false; }
    if (kind === "create" && !form.reportValidity()) { return; }
    if (!window.PublicKeyCredential || !navigator.credentials || !window.isSecureContext) {
      fail(form.dataset.unsupported);
      return;
    }
    problem.hidden = true;
    button.disabled = true;
    fetch(form.dataset.optionsUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrf_token.value }
    }).then(function (r) {
      if (r.status === 401) { window.location.reload(); throw new Error("signed out"); }
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (options) {
      var request = { publicKey: publicKey(kind, options) };
      return kind === "create" ? navigator.credentials.create(request) : navigator.credentials.get(request);
    }).then(function (credential) {
      form.elements.credential.value = answer(credential);
      form.submit();
    }).catch(function (error) {
      var unsupported = error && (error.name === "SecurityError" || error.name === "NotSupportedError");
      fail(unsupported ? form.dataset.unsupported : form.dataset.failed);
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    var button = form.querySelector("[data-webauthn-start]");
    button.addEventListener("click", function () { start(form, button); });
  });
})();
