/**
 * Fixed facts of the sandbox: credentials, the demo catalogue's codes and card ids, the WeChat
 * error codes the simulator answers with, and the timing rules of docs/wechat-api.md.
 * None of these credentials is a secret: they only open the simulator.
 */

export const SANDBOX_APPID = 'wx5a9d0c7e1b3f4a26';
export const SANDBOX_SECRET = 'sandbox0c1d2e3f4a5b6c7d8e9f0a1b2c3';

/** A third-party platform (强授权) authorised by one sandbox merchant account. Wire field names. */
export const SANDBOX_COMPONENT = {
  component_appid: 'wx3c0f0e7d1a2b5c6d',
  component_appsecret: 'sandboxcomponent9f8e7d6c5b4a39281',
  component_verify_ticket: 'ticket@@@sandbox-component-verify-ticket',
  authorizer_appid: 'wx7e6d5c4b3a291807',
  /** The refresh token issued at authorisation; it rotates on first use (docs/wechat-api.md). */
  authorizer_refresh_token: 'refreshtoken@@@sandbox-initial-authorizer-refresh-token',
} as const;

/** The demo terminal's sub-merchant: demo cards carry it in base_info.sub_merchant_info. */
export const DEMO_MERCHANT_ID = 10_086_001;
/** A sub-merchant other than the demo terminal's: its cards must be refused by the terminal. */
export const OTHER_MERCHANT_ID = 10_086_002;
/** The demo store (WeChat poi id). */
export const DEMO_LOCATION_ID = 401_000_001;
/** Stores of the demo merchant other than the demo store. */
export const OTHER_LOCATION_IDS: readonly number[] = [401_000_002, 401_000_003];

export const SUB_CARD_TYPES = ['GIFT_CARD', 'VOUCHER'] as const;
export type SubCardType = (typeof SUB_CARD_TYPES)[number];

export const USER_CARD_STATUSES = ['NORMAL', 'CONSUMED', 'EXPIRE', 'GIFTING', 'GIFT_TIMEOUT', 'DELETE', 'UNAVAILABLE'] as const;
export type UserCardStatus = (typeof USER_CARD_STATUSES)[number];

export const CARD_STATUSES = [
  'CARD_STATUS_NOT_VERIFY',
  'CARD_STATUS_VERIFY_FAIL',
  'CARD_STATUS_VERIFY_OK',
  'CARD_STATUS_DISPATCH',
  'CARD_STATUS_DELETE',
] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export type DemoEntry = Readonly<{
  code: string;
  cardId: string;
  balanceFen: number;
  userCardStatus: UserCardStatus;
  /** What the entry demonstrates, for the CLI listing and the README. */
  label: string;
}>;

/** Card ids of the demo catalogue (28 characters starting with "p", like WeChat's). */
export const DEMO_CARD_IDS = {
  giftCard: 'pSimDemoStoredValueGiftCard1',
  voucher: 'pSimDemoSingleItemVoucher001',
  dynamicGiftCard: 'pSimDemoDynamicCodeGiftCard1',
  expiredGiftCard: 'pSimDemoExpiredGiftCard00001',
  otherMerchantGiftCard: 'pSimDemoOtherMerchantCard001',
  otherStoreGiftCard: 'pSimDemoOtherStoreGiftCard01',
  customCodeGiftCard: 'pSimDemoCustomCodeGiftCard01',
} as const;

/**
 * The demo catalogue, seeded into an empty database. Balances are the seeded ones: a sandbox
 * that has been used since shows whatever was written after.
 */
export const DEMO = {
  giftCard500: {
    code: '688000000001',
    cardId: DEMO_CARD_IDS.giftCard,
    balanceFen: 50_000,
    userCardStatus: 'NORMAL',
    label: 'stored-value gift card',
  },
  giftCard200: {
    code: '688000000002',
    cardId: DEMO_CARD_IDS.giftCard,
    balanceFen: 20_000,
    userCardStatus: 'NORMAL',
    label: 'stored-value gift card',
  },
  giftCard8888: {
    code: '688000000003',
    cardId: DEMO_CARD_IDS.giftCard,
    balanceFen: 8_888,
    userCardStatus: 'NORMAL',
    label: 'stored-value gift card',
  },
  giftCard10: {
    code: '688000000004',
    cardId: DEMO_CARD_IDS.giftCard,
    balanceFen: 1_000,
    userCardStatus: 'NORMAL',
    label: 'stored-value gift card',
  },
  consumedGiftCard: {
    code: '688000000005',
    cardId: DEMO_CARD_IDS.giftCard,
    balanceFen: 0,
    userCardStatus: 'CONSUMED',
    label: 'gift card already consumed (40099)',
  },
  giftingGiftCard: {
    code: '688000000006',
    cardId: DEMO_CARD_IDS.giftCard,
    balanceFen: 10_000,
    userCardStatus: 'GIFTING',
    label: 'gift card being gifted to a friend (40127)',
  },
  voucher: {
    code: '688000000007',
    cardId: DEMO_CARD_IDS.voucher,
    balanceFen: 0,
    userCardStatus: 'NORMAL',
    label: 'single-item voucher (VOUCHER, no stored value)',
  },
  dynamicGiftCard: {
    code: '688000000008',
    cardId: DEMO_CARD_IDS.dynamicGiftCard,
    balanceFen: 30_000,
    userCardStatus: 'NORMAL',
    label: 'dynamic-code gift card (POST /sim/codes/CODE/dynamic mints a 1636… code)',
  },
  expiredGiftCard: {
    code: '688000000009',
    cardId: DEMO_CARD_IDS.expiredGiftCard,
    balanceFen: 5_000,
    userCardStatus: 'NORMAL',
    label: 'gift card whose validity ended 2024-12-31 (40079)',
  },
  otherMerchantGiftCard: {
    code: '688000000010',
    cardId: DEMO_CARD_IDS.otherMerchantGiftCard,
    balanceFen: 10_000,
    userCardStatus: 'NORMAL',
    label: `gift card of another sub-merchant (${OTHER_MERCHANT_ID})`,
  },
  otherStoreGiftCard: {
    code: '688000000011',
    cardId: DEMO_CARD_IDS.otherStoreGiftCard,
    balanceFen: 10_000,
    userCardStatus: 'NORMAL',
    label: 'gift card valid only at other stores',
  },
  customCodeGiftCard: {
    code: '688000000012',
    cardId: DEMO_CARD_IDS.customCodeGiftCard,
    balanceFen: 15_000,
    userCardStatus: 'NORMAL',
    label: 'custom-code gift card (card_id required, else 41012)',
  },
} as const satisfies Record<string, DemoEntry>;

/** Unix seconds WeChat uses for "no end" (end_time of a permanent card). */
export const PERMANENT_END_TIME = 2_147_483_647;

/** access_token, component and authorizer tokens all live this long (seconds). */
export const TOKEN_LIFETIME_S = 7_200;
/**
 * A superseded token (or refresh token) keeps working this long; the stable token also rotates
 * this long before it expires (seconds).
 */
export const TOKEN_OVERLAP_S = 300;
/** stable_token force_refresh: at most this many a day... */
export const FORCE_REFRESH_PER_DAY = 20;
/** ...and this many seconds apart. */
export const FORCE_REFRESH_SPACING_S = 30;
/** How long a minted dynamic code is accepted (seconds). */
export const DYNAMIC_CODE_LIFETIME_S = 300;
/** Largest balance the simulator stores: WeChat's balance is a 32-bit integer of fen. */
export const MAX_BALANCE_FEN = 2_147_483_647;

/** The WeChat errcodes the simulator answers with, and their real errmsg texts. */
export const ERR = {
  systemBusy: [-1, 'system error'],
  invalidCredential: [40001, 'invalid credential, access_token is invalid or not latest'],
  invalidGrantType: [40002, 'invalid grant_type'],
  invalidAppid: [40013, 'invalid appid'],
  invalidAccessToken: [40014, 'invalid access_token'],
  invalidSerialCode: [40056, 'invalid serial code'],
  invalidCardId: [40073, 'invalid card id'],
  invalidCardStatus: [40078, 'invalid card status'],
  invalidTime: [40079, 'invalid time'],
  codeConsumed: [40099, 'invalid code, this code has consumed.'],
  invalidAppsecret: [40125, 'invalid appsecret'],
  invalidUserCardStatus: [40127, 'invalid user-card status! the card is deleted or being gifted'],
  accessTokenMissing: [41001, 'access_token missing'],
  appidMissing: [41002, 'appid missing'],
  refreshTokenMissing: [41003, 'refresh_token missing'],
  secretMissing: [41004, 'appsecret missing'],
  missingRequiredFields: [41011, 'missing required fields'],
  missingCardId: [41012, 'missing card id'],
  accessTokenExpired: [42001, 'access_token expired'],
  requirePost: [43002, 'require POST method'],
  noBalancePermission: [43010, 'no balance permission'],
  emptyPostData: [44002, 'empty post data'],
  dailyQuota: [45009, 'reach max api daily quota limit'],
  minuteQuota: [45011, 'api minute-quota reach limit mustslower retry next minute'],
  dataFormat: [47001, 'data format error'],
  apiUnauthorized: [48001, 'api unauthorized'],
  componentNotAuthorized: [61003, 'component is not authorized by this account'],
  componentTicketInvalid: [61006, 'component ticket is invalid'],
  refreshTokenInvalid: [61023, 'refresh_token is invalid'],
} as const satisfies Record<string, readonly [number, string]>;

export type WeChatError = (typeof ERR)[keyof typeof ERR];
