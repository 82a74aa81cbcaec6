/**
 * Address layout of tensors on a group of HBM channels. The reference design stripes each
 * stream (weight indices and LUTs, activations, KV) over its channel group so that every channel
 * delivers its 32 B per cycle: a tensor is cut into interleave-sized chunks dealt round-robin over
 * the group, and tensors follow one another. The layout gives each tensor's start offset and
 * bytes per channel and checks the group's capacity.
 */

/**
 * Default interleave: 4 KiB. An AXI4 burst may not cross a 4 KiB boundary, so a 4 KiB chunk is
 * the longest burst (128 beats of 32 B) one channel can serve without a new request.
 */
export const HBM_INTERLEAVE_BYTES = 4096;

/**
 * Capacity of one HBM pseudo-channel: the V80's 32 GiB of HBM2e over 64 pseudo-channels =
 * 512 MiB (approximate; used for capacity checks only).
 */
export const HBM_CHANNEL_CAPACITY_BYTES = 512 * 1024 * 1024;

export interface TensorPlacement {
  readonly name: string;
  readonly bytes: number;
  /** Byte offset of the tensor's first chunk inside each channel of the group. */
  readonly offsetBytes: number;
  /** Bytes the tensor occupies on each channel (whole chunks; the busiest channel). */
  readonly bytesPerChannel: number;
  /** Channel (0-based within the group) holding the tensor's first chunk. */
  readonly firstChannel: number;
}

export interface ChannelGroupLayout {
  readonly channels: number;
  readonly interleaveBytes: number;
  readonly tensors: readonly TensorPlacement[];
  /** Highest bytes used on one channel. */
  readonly usedBytesPerChannel: number;
  readonly capacityBytesPerChannel: number;
}

/** Lays `tensors` out on a group of `channels` channels; throws if a channel would overflow, naming the tensor. */
export function stripeTensors(
  tensors: readonly { readonly name: string; readonly bytes: number }[],
  channels: number,
  opts: { readonly interleaveBytes?: number; readonly capacityBytesPerChannel?: number } = {},
): ChannelGroupLayout {
  const chunk = opts.interleaveBytes ?? HBM_INTERLEAVE_BYTES;
  const capacity = opts.capacityBytesPerChannel ?? HBM_CHANNEL_CAPACITY_BYTES;
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`HBM layout: channels must be an integer >= 1, got ${channels}`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`HBM layout: interleaveBytes must be an integer >= 1, got ${chunk}`);
  if (!(capacity > 0)) throw new RangeError(`HBM layout: capacityBytesPerChannel must be > 0, got ${capacity}`);
  const placed: TensorPlacement[] = [];
  // Every tensor starts on a chunk boundary of channel 0 at the same offset on every channel, so
  // its chunks are spread as evenly as possible (the first channels hold one more when it does
  // not divide).
  let offset = 0;
  for (const t of tensors) {
    if (!Number.isInteger(t.bytes) || t.bytes < 0) throw new RangeError(`HBM layout: tensor '${t.name}' has ${t.bytes} bytes`);
    const chunks = Math.ceil(t.bytes / chunk);
    const perChannel = Math.ceil(chunks / channels) * chunk;
    if (offset + perChannel > capacity) {
      throw new RangeError(
        `HBM layout: tensor '${t.name}' (${t.bytes} bytes) does not fit: ${channels} channels x ${capacity} bytes are full at ${offset} bytes per channel (needs ${perChannel} more per channel)`,
      );
    }
    placed.push({ name: t.name, bytes: t.bytes, offsetBytes: offset, bytesPerChannel: perChannel, firstChannel: 0 });
    offset += perChannel;
  }
  return { channels, interleaveBytes: chunk, tensors: placed, usedBytesPerChannel: offset, capacityBytesPerChannel: capacity };
}

/** Channel and in-channel byte address of byte `i` of a placed tensor. */
export function stripedAddress(layout: ChannelGroupLayout, tensor: TensorPlacement, i: number): { readonly channel: number; readonly address: number } {
  if (!Number.isInteger(i) || i < 0 || i >= tensor.bytes) throw new RangeError(`HBM layout: byte ${i} is outside tensor '${tensor.name}' (${tensor.bytes} bytes)`);
  const c = Math.floor(i / layout.interleaveBytes);
  return { channel: (tensor.firstChannel + c) % layout.channels, address: tensor.offsetBytes + Math.floor(c / layout.channels) * layout.interleaveBytes + (i % layout.interleaveBytes) };
}
