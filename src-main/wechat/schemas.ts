/**
 * Runtime shapes of WeChat's answers. An answer that does not match is never money: the client
 * turns it into an `unknown` failure (for a write, resolved by reading back).
 */
import { z } from 'zod';

const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const unixSeconds = z.number().int().nonnegative();

/** The `end_time` WeChat gives a card with no end (2^31 - 1, unix seconds); 0 means the same. */
export const PERMANENT_END_TIME = 2_147_483_647;

export const EnvelopeSchema = z.object({ errcode: z.number().int().optional(), errmsg: z.string().optional() });

export const USER_CARD_STATUSES = ['NORMAL', 'CONSUMED', 'EXPIRE', 'GIFTING', 'GIFT_TIMEOUT', 'DELETE', 'UNAVAILABLE'] as const;

export const CodeGetSchema = z.object({
  errcode: z.literal(0),
  openid: z.string().optional(),
  can_consume: z.boolean(),
  user_card_status: z.enum(USER_CARD_STATUSES),
  card: z.object({
    card_id: z.string().min(1),
    begin_time: unixSeconds,
    end_time: unixSeconds,
    balance: fen.optional(),
    bonus: z.number().int().optional(),
    code: z.string().min(1),
    card_number: z.string().optional(),
    order_id: z.string().optional(),
    background_pic_url: z.string().optional(),
  }),
});
export type CodeGetAnswer = z.infer<typeof CodeGetSchema>;

export const UpdateUserSchema = z.object({
  errcode: z.literal(0),
  result_balance: fen,
  result_bonus: z.number().int().optional(),
  openid: z.string().optional(),
});
export type UpdateUserAnswer = z.infer<typeof UpdateUserSchema>;

export const ConsumeSchema = z.object({
  errcode: z.literal(0),
  openid: z.string().optional(),
  card: z.object({ card_id: z.string() }).optional(),
});

export const CARD_STATUSES_USABLE = ['CARD_STATUS_VERIFY_OK', 'CARD_STATUS_DISPATCH'] as const;

export const CardGetSchema = z.object({
  errcode: z.literal(0),
  card: z.object({
    card_type: z.string(),
    general_card: z
      .object({
        sub_card_type: z.string().optional(),
        supply_balance: z.boolean().optional(),
        base_info: z
          .object({
            title: z.string().optional(),
            brand_name: z.string().optional(),
            status: z.string().optional(),
            use_dynamic_code: z.boolean().optional(),
            use_custom_code: z.boolean().optional(),
            use_all_locations: z.boolean().optional(),
            location_id_list: z.array(z.union([z.number(), z.string()])).optional(),
            sub_merchant_info: z.object({ merchant_id: z.union([z.number(), z.string()]) }).partial().optional(),
            date_info: z
              .object({
                type: z.string(),
                begin_timestamp: z.number().optional(),
                end_timestamp: z.number().optional(),
              })
              .partial()
              .optional(),
          })
          .passthrough(),
      })
      .passthrough()
      .optional(),
  }).passthrough(),
});
export type CardGetAnswer = z.infer<typeof CardGetSchema>;

/** The parts of a card definition the terminal decides on, normalised. */
export type CardDefinition = Readonly<{
  cardId: string;
  title: string;
  cardType: string;
  subCardType: string;
  supplyBalance: boolean;
  status: string;
  useDynamicCode: boolean;
  useCustomCode: boolean;
  useAllLocations: boolean;
  locationIds: readonly string[];
  merchantId: string | null;
  dateType: string | null;
  beginTimestamp: number | null;
  endTimestamp: number | null;
}>;

export function toCardDefinition(cardId: string, answer: CardGetAnswer): CardDefinition {
  const general = answer.card.general_card;
  const base = general?.base_info;
  return {
    cardId,
    title: base?.title ?? base?.brand_name ?? cardId,
    cardType: answer.card.card_type,
    subCardType: general?.sub_card_type ?? 'UNKNOWN',
    supplyBalance: general?.supply_balance ?? false,
    status: base?.status ?? 'UNKNOWN',
    useDynamicCode: base?.use_dynamic_code ?? false,
    useCustomCode: base?.use_custom_code ?? false,
    useAllLocations: base?.use_all_locations ?? true,
    locationIds: (base?.location_id_list ?? []).map(String),
    merchantId: base?.sub_merchant_info?.merchant_id === undefined ? null : String(base.sub_merchant_info.merchant_id),
    dateType: base?.date_info?.type ?? null,
    beginTimestamp: base?.date_info?.begin_timestamp ?? null,
    endTimestamp: base?.date_info?.end_timestamp ?? null,
  };
}

export const TokenAnswerSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
export const ComponentTokenSchema = z.object({ component_access_token: z.string().min(1), expires_in: z.number().int().positive() });
export const AuthorizerTokenSchema = z.object({
  authorizer_access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  authorizer_refresh_token: z.string().min(1),
});
