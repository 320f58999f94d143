// Debian's Chromium, headless, for tests that look at what runbook draws (SVG graphs, HTML reports).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile (under `profile` when given), removed when the caller closes the browser. */
export async function openChromium(profile = mkdtempSync(join(tmpdir(), 'rb-chromium-'))): Promise<BrowserContext> {
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const close = browser.close.bind(browser);
  browser.close = async (opts) => {
    await close(opts);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  return browser;
}
