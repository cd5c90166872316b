import { Worker } from 'node:worker_threads';
import { RetrievalErrorCode, RetrievalException } from '../store/retrieval.exception';

export interface ConvertedHtml {
  readonly title?: string;
  readonly markdown: string;
}

// linkedom's CommonJS build requires the ESM-only css-select, which Node loads natively but
// module-transforming runners (jest) cannot; a worker thread always uses Node's own loader, and
// keeps the DOM work of large pages off the gRPC event loop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { parseHTML } = require(workerData.linkedom);
const { Readability } = require(workerData.readability);
const TurndownService = require(workerData.turndown);
const { gfm } = require(workerData.gfm);
const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
turndown.use(gfm);
turndown.remove(['script', 'style', 'noscript', 'iframe']);
function convert(html) {
  const { document } = parseHTML(/<html[\\s>]/i.test(html) ? html : '<!doctype html><html><body>' + html + '</body></html>');
  const heading = document.querySelector('h1');
  const title = (document.querySelector('title')?.textContent || heading?.textContent || '').trim() || undefined;
  const article = new Readability(document.cloneNode(true), { charThreshold: 200, keepClasses: false }).parse();
  let body;
  if (article && article.content && (article.textContent || '').trim().length >= 200) {
    body = article.content;
  } else {
    for (const element of document.querySelectorAll('nav, header, footer, aside, script, style, noscript, form')) element.remove();
    body = document.body ? document.body.innerHTML : html;
  }
  const markdown = turndown.turndown(body).replace(/\\n{3,}/g, '\\n\\n').trim();
  return { title, markdown: title && !/^# /m.test(markdown) ? '# ' + title + '\\n\\n' + markdown : markdown };
}
parentPort.on('message', ({ id, html }) => {
  try { parentPort.postMessage({ id, result: convert(html) }); }
  catch (error) { parentPort.postMessage({ id, error: String((error && error.message) || error) }); }
});
`;

/**
 * Main content of an HTML page as Markdown: Readability drops navigation, headers, footers and
 * sidebars; Turndown with the GFM plugin keeps headings (for section paths) and tables as
 * Markdown tables. Pages Readability cannot make sense of (too short) fall back to <body>
 * without nav/header/footer/aside/script/style. The page's H1 (or <title>) stays as the top
 * heading so chunks carry it in their section path.
 */
export class HtmlToMarkdown {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: ConvertedHtml) => void; reject: (error: Error) => void; source: string }>();

  convert(source: string, html: string): Promise<ConvertedHtml> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, source });
      worker.ref();
      worker.postMessage({ id, html });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // Resolved here so that the worker finds the packages whatever the process's working directory.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        linkedom: require.resolve('linkedom'),
        readability: require.resolve('@mozilla/readability'),
        turndown: require.resolve('turndown'),
        gfm: require.resolve('turndown-plugin-gfm'),
      },
    });
    worker.on('message', ({ id, result, error }: { id: number; result?: ConvertedHtml; error?: string }) => {
      const waiting = this.pending.get(id);
      if (!waiting) return;
      this.pending.delete(id);
      if (this.pending.size === 0) worker.unref();
      if (error !== undefined) waiting.reject(new RetrievalException(RetrievalErrorCode.InvalidDocument, `cannot read HTML ${JSON.stringify(waiting.source)}: ${error}`));
      else waiting.resolve({ ...(result!.title ? { title: result!.title } : {}), markdown: result!.markdown });
    });
    worker.on('error', (error) => {
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(new RetrievalException(RetrievalErrorCode.StoreFailure, `HTML conversion failed: ${error.message}`, { cause: error }));
      this.pending.clear();
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
