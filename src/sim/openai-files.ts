// OpenAI Files emulator: upload (multipart/form-data, purpose=batch), list, retrieve, content, delete. Files live
// in memory; the Batch emulator reads inputs from here and stores its output and error files here.

import type { FileObject } from "openai/resources/files";
import { openAIListPage, pageAfter, parseLimit } from "./batch-common.js";
import type { SimEngine } from "./engine.js";
import { badRequest, notFound } from "./errors.js";
import { sendJson } from "./http-util.js";
import type { RouteContext, Router } from "./router.js";

const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
const PURPOSES = new Set(["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]);

export interface StoredFile {
  object: FileObject;
  content: Buffer;
}

export class OpenAIFiles {
  private readonly files: StoredFile[] = []; // newest first

  constructor(private readonly engine: SimEngine) {}

  register(router: Router): void {
    router.add("POST /v1/files", (ctx) => this.upload(ctx), { bodyLimit: MAX_UPLOAD_BYTES });
    router.add("GET /v1/files", (ctx) => this.list(ctx));
    router.add("GET /v1/files/:id", (ctx) => sendJson(ctx.res, 200, this.get(ctx.params.id).object));
    router.add("GET /v1/files/:id/content", (ctx) => {
      const file = this.get(ctx.params.id);
      ctx.res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.content.length });
      ctx.res.end(file.content);
    });
    router.add("DELETE /v1/files/:id", (ctx) => {
      const file = this.get(ctx.params.id);
      this.files.splice(this.files.indexOf(file), 1);
      sendJson(ctx.res, 200, { id: file.object.id, object: "file", deleted: true });
    });
  }

  /** Store a file (uploads, and batch output/error files). */
  add(filename: string, purpose: FileObject["purpose"], content: Buffer): FileObject {
    const object: FileObject = {
      id: this.engine.newId("file-"),
      object: "file",
      bytes: content.length,
      created_at: this.engine.clock.epochSeconds(),
      filename,
      purpose,
      status: "processed",
      expires_at: undefined,
      status_details: undefined,
    };
    this.files.unshift({ object, content });
    return object;
  }

  get(id: string): StoredFile {
    const file = this.files.find((f) => f.object.id === id);
    if (!file) throw notFound(`No such File object: ${id}`);
    return file;
  }

  private async upload(ctx: RouteContext): Promise<void> {
    const type = ctx.req.headers["content-type"] ?? "";
    if (!type.startsWith("multipart/form-data")) throw badRequest("files must be uploaded as multipart/form-data");
    let form: FormData;
    try {
      form = await new Response(await ctx.body(), { headers: { "content-type": type } }).formData();
    } catch (e) {
      throw badRequest(`invalid multipart body: ${(e as Error).message}`);
    }
    const purpose = form.get("purpose");
    const file = form.get("file");
    if (typeof purpose !== "string" || !PURPOSES.has(purpose))
      throw badRequest("purpose must be one of: " + [...PURPOSES].join(", "), "purpose");
    if (!file || typeof file === "string") throw badRequest("file is required", "file");
    const content = Buffer.from(await file.arrayBuffer());
    const filename = "name" in file && typeof file.name === "string" ? file.name : "upload";
    sendJson(ctx.res, 200, this.add(filename, purpose as FileObject["purpose"], content));
  }

  private list(ctx: RouteContext): void {
    const q = ctx.url.searchParams;
    const purpose = q.get("purpose");
    let items = this.files.map((f) => f.object).filter((f) => !purpose || f.purpose === purpose);
    if (q.get("order") === "asc") items = items.reverse();
    const { data, hasMore } = pageAfter(items, q.get("after"), null, parseLimit(q.get("limit"), 10_000, 10_000));
    sendJson(ctx.res, 200, openAIListPage(data, hasMore));
  }
}
