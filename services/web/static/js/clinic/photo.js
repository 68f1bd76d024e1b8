// One photo on its way into a case: SHA-256 in the browser, upload with a
// progress bar, resume after a dropped connection (GetUploadStatus, then the
// rest of the bytes), and the quality gate's verdict.
import { ApiError, call, putUpload } from '../api.js';
import { h, replace } from '../dom.js';
import { modalityLabel } from '../labels.js';

const RESUME_ATTEMPTS = 6;

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function declaredType(file) {
  return file.type === 'image/png' ? 'image/png' : 'image/jpeg';
}

// A photo row; `photo.state` is "checking" | "uploading" | "accepted" |
// "refused" | "failed"; `photo.image` the ImageRef once accepted.
// `onChange` is called whenever the state changes; `onRetake` when the user
// wants to take the photo again.
export function addPhoto(file, modality, {onChange, onRetake, onRemove}) {
  const preview = h('img', {class: 'photo-preview', alt: file.name});
  const previewUrl = URL.createObjectURL(file);
  preview.src = previewUrl;
  const progress = h('progress', {class: 'upload-progress', max: 100, value: 0});
  const progressText = h('span', {class: 'progress-text'}, '');
  const verdict = h('div', {class: 'verdict', role: 'status'}, 'Checking…');
  const pixelSize = h('input', {class: 'pixel-size', type: 'number', min: 0, max: 10, step: 'any',
    inputmode: 'decimal', placeholder: 'mm per pixel, if known'});
  const actions = h('div', {class: 'photo-actions'});
  const row = h('li', {class: 'photo checking', 'data-file-name': file.name},
    preview,
    h('div', {class: 'photo-main'},
      h('div', {}, h('strong', {}, modalityLabel(modality)), ` · ${file.name} · ${(file.size / 1048576).toFixed(1)} MB`),
      h('div', {class: 'progress-line'}, progress, progressText),
      verdict,
      h('label', {class: 'field compact'}, h('span', {class: 'label'}, 'Pixel size (mm)'), pixelSize),
      actions));
  const photo = {row, state: 'checking', image: null, sha256: '', file,
    pixelSizeMm: () => Number(pixelSize.value) || 0};

  const set = (state, ...content) => {
    photo.state = state;
    row.className = `photo ${state}`;
    row.dataset.state = state;
    replace(verdict, ...content);
    onChange();
  };
  const remove = h('button', {type: 'button', class: 'quiet', onclick: () => {
    URL.revokeObjectURL(previewUrl);
    row.remove();
    onRemove(photo);
  }}, 'Remove');

  const upload = async () => {
    replace(actions, remove);
    let lastError = null;
    for (let attempt = 0; attempt < RESUME_ATTEMPTS; attempt++) {
      try {
        const status = await call('IntakeService', 'GetUploadStatus', {sha256: photo.sha256, sizeBytes: String(file.size)});
        const offset = status.stored ? 0 : Number(status.committedOffset || 0);
        set('uploading', attempt ? `Connection back: resuming from ${Math.round((offset / file.size) * 100)} %…`
          : 'Uploading…');
        const result = await putUpload({sha256: photo.sha256, file, contentType: declaredType(file), modality, offset,
          onProgress: (sent, total) => {
            progress.value = Math.round((sent / total) * 100);
            progressText.textContent = `${progress.value} %`;
          }});
        progress.value = 100;
        progressText.textContent = '100 %';
        photo.image = result.image;
        const warnings = (result.warnings ?? []).filter((w) => w.severity !== 'QUALITY_SEVERITY_REFUSAL');
        set('accepted',
          h('p', {class: 'ok verdict-text'}, warnings.length ? 'Accepted, with a warning:' : 'Accepted: the photo is good to send.'),
          warnings.map((w) => h('p', {class: 'warning'}, w.message)));
        return;
      } catch (error) {
        lastError = error;
        if (!(error instanceof ApiError) || error.status !== 0) break;
        set('uploading', 'The connection dropped — waiting to resume…');
        await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
      }
    }
    if (lastError?.code === 'INVALID_ARGUMENT') {
      set('refused', h('p', {class: 'refusal verdict-text'}, lastError.message));
      replace(actions, h('button', {type: 'button', class: 'primary big retake', onclick: () => {
        row.remove();
        onRemove(photo);
        onRetake();
      }}, 'Tap to retake'), remove);
      return;
    }
    set('failed', h('p', {class: 'error'}, lastError?.message ?? 'The upload failed.'));
    replace(actions, h('button', {type: 'button', class: 'primary', onclick: upload}, 'Try again'), remove);
  };

  sha256Hex(file).then((sha) => {
    photo.sha256 = sha;
    row.dataset.sha256 = sha;
    return upload();
  }).catch((error) => set('failed', h('p', {class: 'error'}, error.message)));
  return photo;
}
