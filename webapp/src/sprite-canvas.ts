import L from "leaflet";

/** A pre-drawn circle marker image: drawing a bitmap is far cheaper than filling and stroking a path. */
interface Sprite {
  image: HTMLCanvasElement;
  /** Size in CSS pixels; the image is drawn centred on the marker. */
  size: number;
}

const sprites = new Map<string, Sprite>();

/** Marker options with the way the vehicle heads (`arrowHeading`: degrees, or null for no arrow). */
export interface VehicleMarkerOptions extends L.CircleMarkerOptions {
  heading?: number | null;
}

function spriteFor(o: VehicleMarkerOptions, radius: number): Sprite {
  const dpr = window.devicePixelRatio || 1;
  const weight = o.stroke === false ? 0 : (o.weight ?? 3);
  const heading = o.heading ?? null;
  const key = `${radius}|${o.fillColor}|${o.fillOpacity}|${o.color}|${weight}|${o.opacity}|${dpr}|${heading}`;
  let sprite = sprites.get(key);
  if (sprite !== undefined) return sprite;
  // Room for the arrow's tip on every side, so the sprite stays centred on the vehicle whichever way it points. The
  // tip stays inside the bounds Leaflet redraws round a marker (its radius plus the renderer's click tolerance).
  const tip = heading === null ? 0 : 6;
  const size = Math.ceil(2 * (radius + tip) + weight + 2);
  const image = document.createElement("canvas");
  image.width = Math.ceil(size * dpr);
  image.height = Math.ceil(size * dpr);
  const ctx = image.getContext("2d")!;
  ctx.scale(dpr, dpr);
  if (heading !== null) {
    // A wedge from the circle's edge to a point ahead of it, in the marker's colours.
    ctx.save();
    ctx.translate(size / 2, size / 2);
    ctx.rotate((heading * Math.PI) / 180);
    ctx.beginPath();
    ctx.moveTo(0, -(radius + tip));
    ctx.lineTo(radius * 0.95, -radius * 0.3);
    ctx.lineTo(-radius * 0.95, -radius * 0.3);
    ctx.closePath();
    ctx.globalAlpha = o.opacity ?? 1;
    ctx.fillStyle = o.fillColor ?? o.color ?? "#3388ff";
    ctx.fill();
    if (weight > 0) {
      ctx.lineWidth = weight;
      ctx.strokeStyle = o.color ?? "#3388ff";
      ctx.stroke();
    }
    ctx.restore();
  }
  ctx.beginPath();
  ctx.arc(size / 2, size / 2, radius, 0, Math.PI * 2, false);
  if (o.fill !== false) {
    ctx.globalAlpha = o.fillOpacity ?? 0.2;
    ctx.fillStyle = o.fillColor ?? o.color ?? "#3388ff";
    ctx.fill();
  }
  if (weight > 0) {
    ctx.globalAlpha = o.opacity ?? 1;
    ctx.lineWidth = weight;
    ctx.strokeStyle = o.color ?? "#3388ff";
    ctx.stroke();
  }
  sprite = { image, size };
  sprites.set(key, sprite);
  return sprite;
}

interface CanvasCircle {
  _point: L.Point;
  _radius: number;
  _empty(): boolean;
  options: VehicleMarkerOptions;
}

/**
 * Leaflet's canvas renderer with circle markers stamped from cached sprites instead of drawn as paths, so a
 * frame with thousands of moving vehicles stays cheap. Hit testing, events, zoom animation and the trail
 * polyline are Leaflet's own. Relies on L.Canvas internals (`_updateCircle`, `_drawing`, `_ctx`) of the pinned
 * Leaflet 1.9.4.
 */
export const SpriteCanvas = (L.Canvas as unknown as { extend(props: object): new (options?: L.RendererOptions) => L.Canvas }).extend({
  _updateCircle(this: { _drawing: boolean; _ctx: CanvasRenderingContext2D }, layer: CanvasCircle) {
    if (!this._drawing || layer._empty()) return;
    const sprite = spriteFor(layer.options, Math.max(Math.round(layer._radius), 1));
    const half = sprite.size / 2;
    // Leaflet leaves the last path's opacity set (the trail's 0.5).
    this._ctx.globalAlpha = 1;
    this._ctx.drawImage(sprite.image, Math.round(layer._point.x - half), Math.round(layer._point.y - half), sprite.size, sprite.size);
  },
});
