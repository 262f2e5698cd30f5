import type { LatLng } from "./types";

/** A marker's move from one reported position to the next, in monotonic milliseconds. */
export interface Motion {
  from: LatLng;
  to: LatLng;
  start: number;
  /** 0 means jump: the marker is at `to` at once. */
  duration: number;
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** How far through `motion` we are at `now`, from 0 to 1. */
export function progress(motion: Motion, now: number): number {
  if (motion.duration <= 0) return 1;
  return clamp((now - motion.start) / motion.duration, 0, 1);
}

/** The point a fraction `t` of the way from `a` to `b`, taking the short way round across the antimeridian. */
export function interpolate(a: LatLng, b: LatLng, t: number): LatLng {
  let dLng = b.lng - a.lng;
  if (dLng > 180) dLng -= 360;
  else if (dLng < -180) dLng += 360;
  let lng = a.lng + dLng * t;
  if (lng > 180) lng -= 360;
  else if (lng < -180) lng += 360;
  return { lat: a.lat + (b.lat - a.lat) * t, lng };
}

export function positionAt(motion: Motion, now: number): LatLng {
  const t = progress(motion, now);
  return t >= 1 ? motion.to : interpolate(motion.from, motion.to, t);
}

export function isDone(motion: Motion, now: number): boolean {
  return progress(motion, now) >= 1;
}

/** Approximate ground distance in metres (equirectangular; good enough for deciding to jump). */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180;
  let dLng = Math.abs(b.lng - a.lng);
  if (dLng > 180) dLng = 360 - dLng;
  const x = dLng * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

export interface MotionPolicy {
  /** Shortest animation; faster updates still animate over this long. */
  minMs: number;
  /** Reports further apart than this (a quiet vehicle, a reconnect) jump instead of animating. */
  maxGapMs: number;
  /** Moves longer than this (a track restarting) jump. */
  maxJumpMeters: number;
  /** Weight of the newest gap in the smoothed report interval. */
  smoothing: number;
}

export const defaultMotionPolicy: MotionPolicy = { minMs: 100, maxGapMs: 5000, maxJumpMeters: 5000, smoothing: 0.3 };

/**
 * The smoothed interval between a vehicle's reports, given the previous estimate and the newest gap;
 * undefined when the gap is too long to say anything about the update rate.
 */
export function nextInterval(previous: number | undefined, gap: number, policy: MotionPolicy = defaultMotionPolicy): number | undefined {
  if (!(gap >= 0) || gap > policy.maxGapMs) return undefined;
  return previous === undefined ? gap : previous + (gap - previous) * policy.smoothing;
}

/**
 * How long to animate a marker from `from` to `to` given the smoothed report interval: the interval
 * (so the marker arrives as the next report is due), or 0 (jump) when there is none or the move is too long.
 */
export function motionDuration(interval: number | undefined, from: LatLng, to: LatLng, policy: MotionPolicy = defaultMotionPolicy): number {
  if (interval === undefined) return 0;
  if (distanceMeters(from, to) > policy.maxJumpMeters) return 0;
  return clamp(interval, policy.minMs, policy.maxGapMs);
}
