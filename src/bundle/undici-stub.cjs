'use strict';
// Bundled in place of undici (see "paths" in tsconfig.json). @actions/http-client imports undici only for
// ProxyAgent, which it uses when core.getIDToken() (OIDC) runs behind a proxy; this action never calls
// getIDToken. Leaving undici out takes ~430 kB off dist/index.js and ~50 ms off every start. Should a
// later change reach that path, it fails loudly here instead of silently skipping the proxy.
class ProxyAgent {
  constructor() {
    throw new Error(
      'ecr-push-action does not bundle undici: core.getIDToken() behind a proxy is not supported.',
    );
  }
}
module.exports = { ProxyAgent };
