/**
 * What lives in the simulated account: generated ids shaped like WeChat's, the demo catalogue
 * seeded into an empty database, and dynamic codes minted for dynamic-code cards.
 */
import { randomBytes, randomInt } from 'node:crypto';
import {
  DEMO,
  DEMO_CARD_IDS,
  DEMO_LOCATION_ID,
  DEMO_MERCHANT_ID,
  DYNAMIC_CODE_LIFETIME_S,
  OTHER_LOCATION_IDS,
  OTHER_MERCHANT_ID,
  SANDBOX_COMPONENT,
  type DemoEntry,
} from './constants.ts';
import { codeExists, countRefreshTokens, getCard, insertCard, insertCode, insertDynamicCode, insertRefreshToken, type Card, type DynamicCode, type SimDb } from './store.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomBase62 = (length: number) => Array.from({ length }, () => BASE62[randomInt(BASE62.length)]).join('');
const randomDigits = (length: number) => Array.from({ length }, () => randomInt(10)).join('');

export const SANDBOX_LOGO_URL = 'https://sandbox.gcterm.invalid/logo.png';
export const SANDBOX_BRAND = 'gcterm sandbox';

/** "p" and 27 base62 characters, like WeChat's card ids. */
export function newCardId(db: SimDb): string {
  for (;;) {
    const id = `p${randomBase62(27)}`;
    if (!getCard(db, id)) return id;
  }
}

/** A fresh 12-digit code. No leading zero, so spreadsheets and number parsers keep it whole. */
export function newCode(db: SimDb): string {
  for (;;) {
    const code = `${randomInt(1, 10)}${randomDigits(11)}`;
    if (!codeExists(db, code)) return code;
  }
}

export const newOpenid = () => `oSim${randomBase62(24)}`;
export const newOrderId = () => `SIM${randomDigits(20)}`;

/** An 18-digit code starting 1636, accepted by code/get for 5 minutes on the simulator's clock. */
export function mintDynamicCode(db: SimDb, code: string, now: number): DynamicCode {
  for (;;) {
    const dynamicCode = `1636${randomDigits(14)}`;
    if (codeExists(db, dynamicCode)) continue;
    const minted = { dynamicCode, code, issuedAt: now, expiresAt: now + DYNAMIC_CODE_LIFETIME_S };
    insertDynamicCode(db, minted);
    return minted;
  }
}

/** The refresh token SANDBOX_COMPONENT hands out, valid until first rotated. */
export function ensureInitialRefreshToken(db: SimDb, now: number): void {
  if (countRefreshTokens(db) > 0) return;
  insertRefreshToken(db, {
    token: SANDBOX_COMPONENT.authorizer_refresh_token,
    authorizerAppid: SANDBOX_COMPONENT.authorizer_appid,
    issuedAt: now,
    invalidAfter: null,
  });
}

const beijing = (iso: string) => Date.parse(`${iso}+08:00`) / 1000;

type DemoCardSpec = Omit<Card, 'createdAt' | 'brandName' | 'logoUrl' | 'status'>;

const demoCard = (spec: Partial<DemoCardSpec> & Pick<DemoCardSpec, 'cardId' | 'title'>): DemoCardSpec => ({
  subCardType: 'GIFT_CARD',
  useDynamicCode: false,
  useCustomCode: false,
  useAllLocations: true,
  locationIds: [],
  merchantId: DEMO_MERCHANT_ID,
  beginTime: null,
  endTime: null,
  ...spec,
});

const DEMO_CARDS: readonly DemoCardSpec[] = [
  demoCard({ cardId: DEMO_CARD_IDS.giftCard, title: '礼品卡 Gift card' }),
  demoCard({ cardId: DEMO_CARD_IDS.voucher, title: '咖啡兑换券 Coffee voucher', subCardType: 'VOUCHER' }),
  demoCard({
    cardId: DEMO_CARD_IDS.dynamicGiftCard,
    title: '动态码礼品卡 Dynamic-code gift card',
    useDynamicCode: true,
    useAllLocations: false,
    locationIds: [DEMO_LOCATION_ID, ...OTHER_LOCATION_IDS],
    beginTime: beijing('2025-01-01T00:00:00'),
    endTime: beijing('2035-12-31T23:59:59'),
  }),
  demoCard({
    cardId: DEMO_CARD_IDS.expiredGiftCard,
    title: '2024 礼品卡 Gift card 2024',
    beginTime: beijing('2023-01-01T00:00:00'),
    endTime: beijing('2024-12-31T23:59:59'),
  }),
  demoCard({ cardId: DEMO_CARD_IDS.otherMerchantGiftCard, title: '他店礼品卡 Other merchant gift card', merchantId: OTHER_MERCHANT_ID }),
  demoCard({
    cardId: DEMO_CARD_IDS.otherStoreGiftCard,
    title: '指定门店礼品卡 Other stores only',
    useAllLocations: false,
    locationIds: OTHER_LOCATION_IDS,
  }),
  demoCard({ cardId: DEMO_CARD_IDS.customCodeGiftCard, title: '自定义码礼品卡 Custom-code gift card', useCustomCode: true }),
];

/** Seeds the demo catalogue (DEMO) into a database that has no cards yet. */
export function seedDemoCatalogue(db: SimDb, now: number): void {
  db.transaction(() => {
    for (const card of DEMO_CARDS) {
      insertCard(db, { ...card, status: 'CARD_STATUS_VERIFY_OK', brandName: SANDBOX_BRAND, logoUrl: SANDBOX_LOGO_URL, createdAt: now });
    }
    const entries: readonly DemoEntry[] = Object.values(DEMO);
    entries.forEach((entry, index) => {
      const serial = String(index + 1).padStart(4, '0');
      insertCode(db, {
        code: entry.code,
        cardId: entry.cardId,
        openid: `oSimDemoHolder0000000${serial}`,
        userCardStatus: entry.userCardStatus,
        balanceFen: entry.balanceFen,
        bonus: 0,
        orderId: `SIMDEMOORDER${serial}`,
        backgroundPicUrl: '',
        receivedAt: now,
      });
    });
  })();
}
