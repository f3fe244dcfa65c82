// A real OpenID Connect provider on the loopback, for the sign-in browser test
// (tests/browser/test_oidc_browser.py).  Test-only: never deploy it.
//
// oidc-provider is an OpenID-certified implementation, so the app's sign-in (Streamlit's
// st.login, through Authlib) is exercised against the protocol as a real identity provider
// speaks it: discovery, the authorization code flow with PKCE, a signed ID token, and
// RP-initiated logout.  Its built-in development login form accepts any login name with any
// password: the name is the account, and its email (a name without an @ gets
// <name>@example.org).
//
//   node provider.mjs <port>
//
// Settings come from the environment (the test sets them):
//   OIDC_PORT           the port, when not given as the first argument
//   OIDC_CLIENT_ID      the one client's id
//   OIDC_CLIENT_SECRET  its secret
//   OIDC_REDIRECT_URI   its redirect URI (the app's /oauth2callback), also where it is sent
//                       back after signing out, as Streamlit's st.logout asks
//
// It listens on 127.0.0.1; its issuer is http://localhost:<port>, a different host from the
// app's 127.0.0.1, so the browser keeps the two sides' cookies apart as it would in service.
// Once listening it prints one line, "oidc-provider ready on <issuer>", on stdout.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import process from 'node:process';

import Provider, { interactionPolicy } from 'oidc-provider';

const { Check, Prompt, base } = interactionPolicy;

// The people the test's access policy lists; anyone else may sign in too, and the app must
// then refuse them.  Their names show the accounts are the provider's, not the app's.  The
// last two are signed in as Microsoft Entra ID signs people in, without an email_verified
// claim: one with Entra's optional xms_edov claim ("email domain owner verified"), one without.
const KNOWN = {
  'analyst@example.gov.uk': { name: 'Ada Analyst' },
  'leader@example.gov.uk': { name: 'Lee Leader' },
  'entra.user@example.gov.uk': { name: 'Enid Tra', email_verified: undefined, xms_edov: true },
  'no.verified.claim@example.gov.uk': { name: 'Noel Claim', email_verified: undefined },
};

function setting(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: set ${name}`);
    process.exit(2);
  }
  return value;
}

function account(id) {
  const login = id.trim().toLowerCase();
  const email = login.includes('@') ? login : `${login}@example.org`;
  // Every email is verified unless the account says otherwise: the test is about who the
  // policy lists (tests/test_app_security.py covers each email_verified value one by one).
  const claims = { sub: id, email, email_verified: true, ...(KNOWN[login] ?? {}) };
  Object.keys(claims).forEach((key) => claims[key] === undefined && delete claims[key]);
  return {
    accountId: id,
    async claims() {
      return claims;
    },
  };
}

// Streamlit asks for prompt=select_account, as Microsoft Entra ID understands it: show the
// account picker.  The development interactions have no picker, so the login form stands in
// for it: requested, the login prompt is shown even over a live session.
function policy() {
  const interactions = base();
  const selectAccount = new Prompt({ name: 'select_account', requestable: true });
  selectAccount.checks.clear(); // answered by the login prompt below, not by a view of its own
  interactions.add(selectAccount, 0);
  interactions.get('login').checks.add(
    new Check('select_account', 'the client asked to choose the account', (ctx) => {
      const { oidc } = ctx;
      if (oidc.prompts.has('select_account') && !oidc.result?.login) {
        return Check.REQUEST_PROMPT;
      }
      return Check.NO_NEED_TO_PROMPT;
    }),
  );
  return interactions;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' };
}

const port = Number(process.argv[2] ?? setting('OIDC_PORT'));
const issuer = `http://localhost:${port}`;
const redirectUri = setting('OIDC_REDIRECT_URI');

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: setting('OIDC_CLIENT_ID'),
      client_secret: setting('OIDC_CLIENT_SECRET'),
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  async findAccount(ctx, id) {
    return account(id);
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified', 'xms_edov'],
    profile: ['name'],
  },
  // Authlib (Streamlit's client) reads who signed in from the ID token, not the userinfo
  // endpoint, so the scopes' claims go into the ID token, as Entra ID puts them there.
  conformIdTokenClaims: false,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  jwks: { keys: [signingKey()] },
  interactions: { policy: policy() },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: {
    AccessToken: 600, IdToken: 600, Session: 600, Interaction: 600, Grant: 600,
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready on ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
