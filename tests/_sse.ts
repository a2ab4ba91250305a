/**
 * Reads a server-sent-events response as a stream of `{ event, data }`.
 * @module
 */
export interface ServerEvent {
  event: string;
  data: string;
  id?: string;
}

export async function* serverEvents(res: Response): AsyncGenerator<ServerEvent> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: ServerEvent = { event: "message", data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const [field, ...rest] = line.split(":");
          const v = rest.join(":").replace(/^ /, "");
          if (field === "event") e.event = v;
          else if (field === "data") data.push(v);
          else if (field === "id") e.id = v;
        }
        if (data.length === 0) continue;
        e.data = data.join("\n");
        yield e;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
