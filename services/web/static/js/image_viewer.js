// One image of a case at full resolution, with zoom (wheel, pinch-free
// buttons), pan (drag) and, when the pixel size is known, a scale bar that
// follows the zoom. The bytes come through api.imageUrl (a blob: URL).
import { imageUrl } from './api.js';
import { h } from './dom.js';
import { modalityLabel, shortId } from './labels.js';

const BAR_LENGTHS_MM = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];

// `image` is an ImageRef; `index` its position in the case (1-based).
export function imageViewer(caseId, image, index) {
  const img = h('img', {class: 'full', alt: `Image ${index}: ${modalityLabel(image.modality)}`, draggable: 'false'});
  const viewport = h('div', {class: 'viewport'}, img);
  const bar = h('span', {class: 'bar'});
  const barLabel = h('span', {class: 'bar-label'});
  const scaleBar = h('div', {class: 'scale-bar', hidden: true}, bar, barLabel);
  const zoomLabel = h('span', {class: 'zoom-label'}, '');
  const pixelSize = Number(image.pixelSizeMm) || 0;
  const status = h('p', {class: 'muted image-status'}, 'Loading the full-resolution image…');
  const caption = h('figcaption', {},
    h('strong', {}, `Image ${index}: ${modalityLabel(image.modality)}`), ' · ',
    pixelSize > 0 ? `pixel size ${pixelSize} mm` : 'pixel size not recorded', ' · ',
    h('span', {class: 'dimensions'}, ''), ' · ',
    h('code', {title: image.sha256}, shortId(image.sha256)));
  const view = {scale: 1, x: 0, y: 0};

  const render = () => {
    img.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    zoomLabel.textContent = `${Math.round(view.scale * 100)} %`;
    if (pixelSize > 0 && img.naturalWidth) {
      const pxPerMm = view.scale / pixelSize;
      const length = BAR_LENGTHS_MM.find((mm) => mm * pxPerMm >= 60) ?? BAR_LENGTHS_MM.at(-1);
      bar.style.width = `${Math.round(length * pxPerMm)}px`;
      barLabel.textContent = `${length} mm`;
      scaleBar.hidden = false;
    }
  };
  const fit = () => {
    if (!img.naturalWidth) return;
    const scale = Math.min(viewport.clientWidth / img.naturalWidth, viewport.clientHeight / img.naturalHeight);
    view.scale = scale;
    view.x = (viewport.clientWidth - img.naturalWidth * scale) / 2;
    view.y = (viewport.clientHeight - img.naturalHeight * scale) / 2;
    render();
  };
  // Zooms by `factor` keeping the point (px, py) of the viewport still.
  const zoom = (factor, px = viewport.clientWidth / 2, py = viewport.clientHeight / 2) => {
    const scale = Math.min(16, Math.max(0.05, view.scale * factor));
    view.x = px - ((px - view.x) * scale) / view.scale;
    view.y = py - ((py - view.y) * scale) / view.scale;
    view.scale = scale;
    render();
  };

  viewport.addEventListener('wheel', (event) => {
    event.preventDefault();
    const box = viewport.getBoundingClientRect();
    zoom(event.deltaY < 0 ? 1.25 : 0.8, event.clientX - box.left, event.clientY - box.top);
  }, {passive: false});
  let drag = null;
  viewport.addEventListener('pointerdown', (event) => {
    drag = {x: event.clientX - view.x, y: event.clientY - view.y};
    viewport.setPointerCapture(event.pointerId);
  });
  viewport.addEventListener('pointermove', (event) => {
    if (!drag) return;
    view.x = event.clientX - drag.x;
    view.y = event.clientY - drag.y;
    render();
  });
  viewport.addEventListener('pointerup', () => { drag = null; });
  viewport.addEventListener('pointercancel', () => { drag = null; });

  const controls = h('div', {class: 'zoom-controls'},
    h('button', {type: 'button', onclick: () => zoom(0.8), 'aria-label': 'Zoom out'}, '−'),
    zoomLabel,
    h('button', {type: 'button', onclick: () => zoom(1.25), 'aria-label': 'Zoom in'}, '+'),
    h('button', {type: 'button', onclick: fit}, 'Fit'),
    h('button', {type: 'button', onclick: () => zoom(1 / view.scale)}, '1:1'));

  img.addEventListener('load', () => {
    status.hidden = true;
    caption.querySelector('.dimensions').textContent = `${img.naturalWidth}×${img.naturalHeight} px`;
    fit();
  });
  imageUrl(caseId, image.sha256).then((url) => { img.src = url; }).catch((error) => {
    status.textContent = `The image could not be loaded: ${error.message}`;
    status.className = 'error';
  });

  return h('figure', {class: 'viewer', id: `image-${image.sha256}`, 'data-sha256': image.sha256},
    viewport, scaleBar, controls, status, caption);
}

// A small preview (the service's 256 px thumbnail) for lists.
export function thumbnail(caseId, sha256, alt) {
  const img = h('img', {class: 'thumb', alt});
  imageUrl(caseId, sha256, true).then((url) => { img.src = url; }).catch(() => {
    img.replaceWith(h('span', {class: 'thumb no-thumb'}, 'no image'));
  });
  return img;
}
