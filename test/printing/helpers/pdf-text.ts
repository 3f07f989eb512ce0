/**
 * The text of a PDF as a reader extracts it: streams inflated, each font's ToUnicode map read,
 * and every text object's strings mapped back to Unicode (two-byte glyph ids for embedded fonts,
 * one byte for the standard fonts). Enough for pdfkit's output; one string per text object.
 */
import { inflateSync } from 'node:zlib';

type PdfObject = { dict: string; stream: Buffer | null };

function objects(pdf: Buffer): Map<number, PdfObject> {
  const out = new Map<number, PdfObject>();
  const text = pdf.toString('latin1');
  const re = /(\d+) 0 obj([\s\S]*?)endobj/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2] ?? '';
    const at = body.indexOf('stream');
    if (at < 0) {
      out.set(Number(m[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, at);
    let start = at + 'stream'.length;
    if (body[start] === '\r') start++;
    if (body[start] === '\n') start++;
    const end = body.lastIndexOf('endstream');
    let raw = Buffer.from(body.slice(start, end), 'latin1');
    if (/\/FlateDecode/.test(dict)) {
      try {
        raw = inflateSync(raw);
      } catch {
        // A stream that is not ours to read (an embedded font program with a trailing newline…).
      }
    }
    out.set(Number(m[1]), { dict, stream: raw });
  }
  return out;
}

function parseCmap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const hexToString = (hex: string) => {
    let s = '';
    for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
    return s;
  };
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(Number.parseInt(m[1] ?? '0', 16), hexToString(m[2] ?? ''));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    const body = block[1] ?? '';
    for (const m of body.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const lo = Number.parseInt(m[1] ?? '0', 16);
      const hi = Number.parseInt(m[2] ?? '0', 16);
      const target = m[3] ?? '';
      if (target.startsWith('[')) {
        const items = [...target.matchAll(/<([0-9a-fA-F]+)>/g)].map((x) => hexToString(x[1] ?? ''));
        items.forEach((value, i) => map.set(lo + i, value));
      } else {
        const base = hexToString(target.slice(1, -1));
        for (let code = lo; code <= hi; code++) map.set(code, base.slice(0, -1) + String.fromCharCode(base.charCodeAt(base.length - 1) + (code - lo)));
      }
    }
  }
  return map;
}

export type PdfText = Readonly<{ pages: number; lines: string[] }>;

export function pdfText(pdf: Buffer): PdfText {
  const objs = objects(pdf);
  const fontMaps = new Map<string, Map<number, string> | null>();
  for (const obj of objs.values()) {
    const fonts = /\/Font\s*<<([^>]*)>>/.exec(obj.dict);
    if (!fonts) continue;
    for (const m of (fonts[1] ?? '').matchAll(/\/(\w+)\s+(\d+) 0 R/g)) {
      const font = objs.get(Number(m[2]));
      const toUnicode = font ? /\/ToUnicode (\d+) 0 R/.exec(font.dict) : null;
      const cmap = toUnicode ? objs.get(Number(toUnicode[1]))?.stream : null;
      fontMaps.set(m[1] ?? '', cmap ? parseCmap(cmap.toString('latin1')) : null);
    }
  }
  const pages = [...objs.values()].filter((o) => /\/Type\s*\/Page\b/.test(o.dict)).length;
  const lines: string[] = [];
  for (const obj of objs.values()) {
    if (!obj.stream || !/\bBT\b/.test(obj.stream.toString('latin1'))) continue;
    const content = obj.stream.toString('latin1');
    for (const block of content.matchAll(/BT([\s\S]*?)ET/g)) {
      let font: Map<number, string> | null = null;
      let line = '';
      for (const token of (block[1] ?? '').matchAll(/\/(\w+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>|\(((?:\\.|[^\\)])*)\)/g)) {
        if (token[1] !== undefined) font = fontMaps.get(token[1]) ?? null;
        else if (token[2] !== undefined) {
          const hex = token[2];
          if (font) for (let i = 0; i + 4 <= hex.length; i += 4) line += font.get(Number.parseInt(hex.slice(i, i + 4), 16)) ?? '\uFFFD';
          else for (let i = 0; i + 2 <= hex.length; i += 2) line += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
        } else if (token[3] !== undefined) line += token[3].replace(/\\(.)/g, '$1');
      }
      lines.push(line);
    }
  }
  return { pages, lines };
}
