/**
 * No egress: over the whole e2e session (every suite before this one), the extension made no
 * request to anything but the local test server, and to that only for pages and images.
 */
import { expect, session, test } from '../registry';

/**
 * Chromium's own services (extension update pings, account checks) that the browser contacts by
 * itself even with --disable-background-networking; they are not the extension's. Anything else
 * counts as the extension's.
 */
const BROWSER_OWN = /^(CONNECT |POST |GET )(https?:\/\/)?(update\.googleapis\.com|accounts\.google\.com|clients\d?\.google\.com|[\w-]+\.gvt1\.com|edgedl\.me\.gvt1\.com|safebrowsing\.googleapis\.com|optimizationguide-pa\.googleapis\.com|content-autofill\.googleapis\.com)(:443)?[/ ]?/;

test('no request left the machine during the whole session; the local server saw only pages and images', async (_b, s) => {
  const foreign = session.egress.filter((r) => !BROWSER_OWN.test(r + ' '));
  expect(foreign.length === 0, `no foreign requests, saw: ${foreign.slice(0, 10).join(', ')}`);
  // Pages (no extension or .html), images, and the favicon Chromium asks for: nothing else.
  const odd = s.log.filter((l) => !/^GET \/[\w./-]*$/.test(l) || !/(^GET \/[\w/-]*$|\.(html?|jpe?g|png|webp|gif|ico)$)/.test(l));
  expect(odd.length === 0, `only pages and images requested, also saw: ${odd.join(', ')}`);
  console.log(`    foreign requests: ${foreign.length} (Chromium's own service pings ignored: ${session.egress.length - foreign.length}); local requests: ${s.log.length}`);
});
