/**
 * A set of strings that answers "certainly not here" or "perhaps here" in well under a
 * microsecond and a few bytes per member (a Set of delivery ids takes about 60): a Bloom filter that grows, adding a layer twice as
 * large (and twice as strict) whenever the last one is full, so the false-positive rate stays near
 * the one asked for however many members it ends with (Almeida et al., "Scalable Bloom Filters").
 * It never forgets a member: `mightContain` is true for every string that was added.
 */

interface Layer {
  bits: Uint32Array;
  /** The bit count is a power of two: an index is a hash masked with this. */
  mask: number;
  hashes: number;
  capacity: number;
  count: number;
}

export class GrowingBloomFilter {
  readonly #layers: Layer[] = [];
  #falsePositiveRate: number;
  #size = 0;

  constructor(initialCapacity: number, falsePositiveRate = 0.01) {
    this.#falsePositiveRate = falsePositiveRate;
    this.#addLayer(Math.max(1024, Math.ceil(initialCapacity)));
  }

  /** How many strings were added (a string added twice counts twice). */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the bit arrays. */
  get bytes(): number {
    return this.#layers.reduce((sum, layer) => sum + layer.bits.byteLength, 0);
  }

  add(value: string): void {
    let layer = this.#layers[this.#layers.length - 1]!;
    if (layer.count >= layer.capacity) layer = this.#addLayer(layer.capacity * 2);
    const [h1, h2] = hashPair(value);
    for (let i = 0; i < layer.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & layer.mask;
      layer.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    layer.count++;
    this.#size++;
  }

  mightContain(value: string): boolean {
    const [h1, h2] = hashPair(value);
    for (const layer of this.#layers) if (inLayer(layer, h1, h2)) return true;
    return false;
  }

  #addLayer(capacity: number): Layer {
    // The classic sizing: m = -n·ln p / (ln 2)², k = (m/n)·ln 2; rounded up to a power of two bits.
    const rate = this.#falsePositiveRate;
    const wanted = Math.ceil((-capacity * Math.log(rate)) / Math.LN2 ** 2);
    const bitCount = 2 ** Math.ceil(Math.log2(Math.max(wanted, 64)));
    const layer: Layer = {
      bits: new Uint32Array(bitCount / 32),
      mask: bitCount - 1,
      hashes: Math.max(1, Math.round((bitCount / capacity) * Math.LN2)),
      capacity,
      count: 0,
    };
    this.#layers.push(layer);
    // Later layers are stricter, so all layers together stay within about twice the first rate.
    this.#falsePositiveRate = rate / 2;
    return layer;
  }
}

function inLayer(layer: Layer, h1: number, h2: number): boolean {
  for (let i = 0; i < layer.hashes; i++) {
    const bit = (h1 + Math.imul(i, h2)) & layer.mask;
    if ((layer.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
  }
  return true;
}

/**
 * Two independent 32-bit hashes of the string's UTF-16 code units (FNV-1a, and the same run
 * through murmur3's finaliser with another seed), combined as h1 + i·h2 for the i-th probe
 * (Kirsch and Mitzenmacher). h2 is odd, so the probes never collapse onto one bit.
 */
function hashPair(value: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b ^= b >>> 16;
  b = Math.imul(b, 0x85ebca6b);
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, (b | 1) >>> 0];
}
