import { Worker } from 'node:worker_threads';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

export interface PdfPage {
  /** 1-based. */
  readonly page: number;
  readonly text: string;
}

export interface ExtractedPdf {
  readonly title?: string;
  readonly pages: readonly PdfPage[];
}

// pdfjs-dist is ESM-only; a worker thread loads it with Node's own loader (this package is
// CommonJS), and keeps a hostile PDF's parsing off the gRPC event loop. Lines are rebuilt from
// the text items' end-of-line flags and vertical jumps.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const pdfjs = await import(workerData.pdfjsPath);
  const document = await pdfjs.getDocument({ data: workerData.bytes, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const info = await document.getMetadata().catch(() => undefined);
  const pages = [];
  for (let number = 1; number <= document.numPages; number++) {
    const page = await document.getPage(number);
    const content = await page.getTextContent();
    let text = '';
    let lastY;
    for (const item of content.items) {
      if (typeof item.str !== 'string') continue;
      const y = item.transform ? item.transform[5] : undefined;
      if (lastY !== undefined && y !== undefined && Math.abs(y - lastY) > 1 && !text.endsWith('\\n')) text += '\\n';
      text += item.str;
      if (item.hasEOL) text += '\\n';
      lastY = y;
    }
    pages.push({ page: number, text: text.replace(/[ \\t]+\\n/g, '\\n').trim() });
    page.cleanup();
  }
  await document.destroy();
  parentPort.postMessage({ title: info && info.info && info.info.Title ? String(info.info.Title) : undefined, pages });
})().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;

/** The text layer of a PDF, page by page (scanned pages without text come back empty). */
export class PdfTextExtractor {
  private readonly pdfjsPath = require.resolve('pdfjs-dist/legacy/build/pdf.mjs');

  constructor(private readonly timeoutMs = 60_000) {}

  extract(source: string, bytes: Uint8Array): Promise<ExtractedPdf> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes: new Uint8Array(bytes), pdfjsPath: this.pdfjsPath } });
      const fail = (message: string) =>
        reject(new RetrievalException(RetrievalErrorCode.InvalidDocument, `cannot read PDF ${JSON.stringify(source)}: ${message}`));
      const timer = setTimeout(() => {
        void worker.terminate();
        fail(`no result within ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      worker.once('message', (result: ExtractedPdf & { error?: string }) => {
        clearTimeout(timer);
        void worker.terminate();
        if (result.error) fail(result.error);
        else resolve({ ...(result.title ? { title: result.title } : {}), pages: result.pages });
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        fail(error.message);
      });
    });
  }
}
