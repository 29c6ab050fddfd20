import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (e) => console.log('page error', e.message));
await page.goto(process.argv[2]);
await page.click('[data-screen=dataset]');
await page.getByTestId('folder-input').setInputFiles('/tmp/fmup/fashion');
await page.waitForFunction(() => document.querySelector('[data-testid=dataset-summary] h2')?.textContent?.startsWith('fashion'), null, { timeout: 120000 });
await page.click('[data-screen=method]');
console.log('preset', await page.getByTestId('preset').inputValue());
await page.getByTestId('start').click();
const t0 = Date.now();
for (const at of [20, 240, 420, 560, 700, 840]) {
  await page.waitForTimeout(Math.max(0, at * 1000 - (Date.now() - t0)));
  await page.screenshot({ path: `/tmp/shots/run-${at}.png`, fullPage: true });
  console.log(at, 's:', (await page.locator('h2').allInnerTexts()).join(' | ').slice(0, 200));
}
await browser.close();
