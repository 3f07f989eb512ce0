import { describe, expect, it } from 'vitest';
import { classifyCode, maskCode } from '../../shared/codes.ts';

describe('classifyCode: the dynamic-code check before any API call', () => {
  it.each([
    ['163612345678901234', 'wechat_dynamic'],
    ['134567890123456789', 'payment_code'],
    ['101234567890123456', 'payment_code'],
    ['151234567890123456', 'payment_code'],
    ['6901234567892', 'product_barcode'], // EAN-13, valid check digit
    ['96385074', 'product_barcode'], // EAN-8, valid check digit
    ['6901234567891', 'card_code'], // 13 digits, wrong check digit: not a product
    ['123456789012', 'card_code'], // WeChat's usual 12-digit code
    ['GIFT2026ABC', 'card_code'],
    ['', 'invalid'],
    ['12345', 'invalid'],
    ['1'.repeat(33), 'invalid'],
    ['12345\u0000678', 'invalid'],
    ['１２３４５６７８', 'invalid'],
    ['1234-5678', 'invalid'],
  ])('%j is %s', (text, kind) => {
    expect(classifyCode(text)).toBe(kind);
  });

  it('masks all but the last four characters', () => {
    expect(maskCode('123456789012')).toBe('•••• 9012');
    expect(maskCode('12')).toBe('••••');
  });
});
