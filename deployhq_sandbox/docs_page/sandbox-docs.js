// Swagger UI set up for the sandbox: the spec the server serves, and "Try it out" sent to the server itself.
// A separate file, not an inline script, so the page's Content-Security-Policy can forbid inline scripts.
"use strict";

(function () {
  // The page is /docs, so its folder is the server's root, also behind a path prefix.
  var root = new URL(".", window.location.href).href.replace(/\/$/, "");

  // The spec's only server is the vendor's, {account}.deployhq.com: a request there would leave the sandbox (and
  // be refused by the browser's same-origin rules). The page shows and uses this server instead; the served
  // openapi.yaml stays as it is.
  function sandboxServer() {
    return {
      statePlugins: {
        spec: {
          wrapActions: {
            updateJsonSpec: function (original) {
              return function (spec) {
                var servers = [{ url: root, description: "This sandbox (the page's own origin)" }];
                return original(Object.assign({}, spec, { servers: servers }));
              };
            },
          },
        },
      },
    };
  }

  window.ui = SwaggerUIBundle({
    url: root + "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayOperationId: true,
    defaultModelsExpandDepth: 1,
    // The default sends the spec to an online validator and shows its badge: a request to another origin.
    validatorUrl: null,
    plugins: [sandboxServer],
    // A 401 carries `WWW-Authenticate: Basic`, as the contract says. For a request sent with credentials the
    // browser answers that with its own login dialog and the page waits on it; the page sends the Authorize
    // credentials itself, in the Authorization header, which "omit" leaves alone.
    requestInterceptor: function (request) {
      request.credentials = "omit";
      return request;
    },
  });
})();
