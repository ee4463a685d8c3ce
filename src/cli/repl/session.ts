// The state of one interactive chat: which model, the message history sent with every turn, and the
// settings changed with /set. It builds the requests; it does no I/O.

import type { ChatRequest, CreateRequest, Format, KeepAlive, Message, Options, Think } from "../../api/types.js";

export interface SessionSettings {
  model: string;
  think?: Think;
  format?: Format;
  keepAlive?: KeepAlive;
  wordWrap: boolean;
  verbose: boolean;
  hideThinking: boolean;
  history: boolean;
  /** The model takes images (vision/audio): file paths in a message are attached. */
  multimodal?: boolean;
}

export class ChatSession {
  messages: Message[] = [];
  options: Options = {};
  /** The session's system message (from /set system), if any. */
  system?: string;

  constructor(public settings: SessionSettings) {}

  get model(): string {
    return this.settings.model;
  }

  /** /set system: replaces a trailing system message, else appends one (Ollama's rule). */
  setSystem(text: string): void {
    this.system = text;
    const last = this.messages[this.messages.length - 1];
    if (last?.role === "system") last.content = text;
    else this.messages.push({ role: "system", content: text });
  }

  /** /clear keeps the system message. */
  clear(): void {
    this.messages = this.system === undefined ? [] : [{ role: "system", content: this.system }];
  }

  /** /load: a new model starts a fresh conversation. */
  switchModel(model: string): void {
    this.settings.model = model;
    this.messages = [];
    this.system = undefined;
  }

  setParameter(name: string, value: unknown): void {
    this.options[name] = value;
  }

  chatRequest(): ChatRequest {
    const req: ChatRequest = { model: this.model, messages: this.messages };
    if (this.settings.format) req.format = this.settings.format;
    if (Object.keys(this.options).length) req.options = { ...this.options };
    if (this.settings.think !== undefined) req.think = this.settings.think;
    if (this.settings.keepAlive !== undefined) req.keep_alive = this.settings.keepAlive;
    return req;
  }

  /** /save NAME: a model layered on the current one with this session's system, parameters and messages. */
  saveRequest(name: string): CreateRequest {
    const req: CreateRequest = { model: name, from: this.model };
    if (this.system !== undefined) req.system = this.system;
    if (Object.keys(this.options).length) req.parameters = { ...this.options };
    const messages = this.messages.filter((m) => m.role !== "system");
    if (messages.length) req.messages = messages;
    return req;
  }
}
