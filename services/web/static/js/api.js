// The console's only way to the gateway's JSON API (docs/WEB.md, "JSON API"):
// unary calls, streamed calls (NDJSON), images and uploads. Every request
// carries the bearer token; any 401 signs the user out with EXPIRED_MESSAGE.
import { EXPIRED_MESSAGE, signOut, token } from './session.js';

export class ApiError extends Error {
  // `status` is the HTTP status (0: the request never got an answer);
  // `code` the gRPC code name ("NOT_FOUND", ...).
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const CONNECTION_LOST = 'The console cannot reach the server; check the connection and try again.';

function authorization() {
  return {Authorization: `Bearer ${token()}`};
}

function unauthenticated(status, code) {
  if (status === 401 || code === 'UNAUTHENTICATED') signOut(EXPIRED_MESSAGE);
}

// The ApiError of a failed response: `{"code","message"}` as the gateway sends it.
async function errorOf(response) {
  let code = `HTTP_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body.code) code = body.code;
    if (body.message) message = body.message;
  } catch {
    // Not JSON: keep the HTTP status.
  }
  unauthenticated(response.status, code);
  return new ApiError(response.status, code, message);
}

async function post(service, method, request, signal) {
  try {
    return await fetch(`/api/v1/${service}/${method}`, {
      method: 'POST',
      headers: {...authorization(), 'Content-Type': 'application/json'},
      body: JSON.stringify(request ?? {}),
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'UNAVAILABLE', CONNECTION_LOST);
  }
}

// A unary call: the response message as JSON (protobuf's JSON mapping).
export async function call(service, method, request = {}) {
  const response = await post(service, method, request);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

// A server-streaming call: `onMessage` gets each message as it arrives. Returns
// when the stream ends; throws an ApiError on an error (before or after the
// first message), an AbortError when `signal` aborts.
export async function stream(service, method, request, onMessage, signal) {
  const response = await post(service, method, request, signal);
  if (!response.ok) throw await errorOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      const message = JSON.parse(line);
      if (message.error) {
        unauthenticated(0, message.error.code);
        throw new ApiError(0, message.error.code, message.error.message);
      }
      onMessage(message);
    }
  }
}

// Keeps a stream open while the page lives: reconnects after a dropped
// connection (waiting 1, 2, 4 ... 30 s), stops for good on abort or on an
// error the caller cannot fix by waiting. `onState` gets "live", "reconnecting"
// or "stopped: <message>".
export function keepStreaming(service, method, request, onMessage, signal, onState = () => {}) {
  let wait = 1000;
  const run = async () => {
    while (!signal.aborted) {
      try {
        onState('live');
        await stream(service, method, typeof request === 'function' ? request() : request,
          (message) => { wait = 1000; onMessage(message); }, signal);
      } catch (error) {
        if (signal.aborted || error.name === 'AbortError') return;
        const retryable = error.status === 0 || error.code === 'UNAVAILABLE' || error.code === 'DEADLINE_EXCEEDED';
        if (!retryable) {
          onState(`stopped: ${error.message}`);
          return;
        }
      }
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 30000);
    }
  };
  run();
}

const imageUrls = new Map();

// An object URL (blob:) of one image of a case, fetched with the token since
// <img src> cannot send headers. Kept for the life of the page.
export async function imageUrl(caseId, sha256, thumbnail = false) {
  const path = `/api/v1/images/${encodeURIComponent(caseId)}/${encodeURIComponent(sha256)}` +
    (thumbnail ? '?variant=thumbnail' : '');
  if (!imageUrls.has(path)) {
    const pending = (async () => {
      let response;
      try {
        response = await fetch(path, {headers: authorization()});
      } catch {
        throw new ApiError(0, 'UNAVAILABLE', CONNECTION_LOST);
      }
      if (!response.ok) throw await errorOf(response);
      return URL.createObjectURL(await response.blob());
    })();
    imageUrls.set(path, pending);
    pending.catch(() => imageUrls.delete(path));
  }
  return imageUrls.get(path);
}

// PUT /api/v1/uploads/<sha256>: the bytes of `file` from `offset` on, with
// progress (`onProgress(bytesSent, total)`). Resolves to the
// UploadImageResponse; rejects with an ApiError (status 0 when the connection
// dropped: resume with GetUploadStatus).
export function putUpload({sha256, file, contentType, modality, offset = 0, onProgress = () => {}}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `/api/v1/uploads/${sha256}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token()}`);
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('X-Telederm-Modality', modality);
    xhr.setRequestHeader('X-Telederm-Size', String(file.size));
    xhr.setRequestHeader('X-Telederm-Offset', String(offset));
    xhr.upload.onprogress = (event) => onProgress(offset + event.loaded, file.size);
    const lost = () => reject(new ApiError(0, 'UNAVAILABLE', 'The connection dropped during the upload.'));
    xhr.onerror = lost;
    xhr.ontimeout = lost;
    xhr.onabort = lost;
    xhr.onload = () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        body = {};
      }
      if (xhr.status === 200) {
        resolve(body);
        return;
      }
      const code = body.code || `HTTP_${xhr.status}`;
      unauthenticated(xhr.status, code);
      reject(new ApiError(xhr.status, code, body.message || `The server answered ${xhr.status}`));
    };
    xhr.send(file.slice(offset));
  });
}
