/**
 * The drawing pad: a 280 × 280 canvas (10× MNIST's side) drawn on with a
 * mouse, a finger or a pen (pointer events cover all three), white ink on
 * black as in MNIST.
 */
export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | undefined;
  private pending = false;
  private drawn = false;

  /** `onChange` runs at most once per animation frame while drawing, and after clear(). */
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx === null) throw new Error('this browser has no 2D canvas');
    this.ctx = ctx;
    this.blank();
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
      e.preventDefault();
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.last === undefined) return;
      // Coalesced events keep fast strokes smooth where the browser batches them.
      for (const event of e.getCoalescedEvents?.() ?? [e]) {
        const p = this.point(event);
        this.stroke(this.last, p);
        this.last = p;
      }
    });
    const end = (): void => void (this.last = undefined);
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('keydown', (e) => {
      if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Escape') {
        this.clear();
        e.preventDefault();
      }
    });
  }

  /** True once something is drawn (until clear()). */
  get hasInk(): boolean {
    return this.drawn;
  }

  /** The pixels as RGBA bytes (what imageToMnist takes). */
  image(): { width: number; height: number; rgba: Uint8ClampedArray } {
    const { width, height } = this.canvas;
    return { width, height, rgba: this.ctx.getImageData(0, 0, width, height).data };
  }

  /** Wipes the pad and tells `onChange`. */
  clear(): void {
    this.blank();
    this.onChange();
  }

  private blank(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawn = false;
  }

  /** Canvas coordinates of a pointer event (the canvas may be scaled by CSS). */
  private point(e: PointerEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) * this.canvas.width) / rect.width, y: ((e.clientY - rect.top) * this.canvas.height) / rect.height };
  }

  private stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const ctx = this.ctx;
    // A pen about as wide, relative to the digit, as MNIST's strokes.
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    this.drawn = true;
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.onChange();
      });
    }
  }
}
