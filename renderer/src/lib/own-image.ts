import { OWN_IMAGE_MAX_BASE64, OWN_IMAGE_MAX_SIDE } from '../../../electron/contract/api';

const base64Of = async (blob: Blob) => {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};

/**
 * A picked or dropped image file as the base64 PNG (or, for a photo too large as PNG, JPEG) the
 * API takes: upright, on white where it was transparent, at most OWN_IMAGE_MAX_SIDE pixels on its
 * longer side. The engine makes it one of the dataset's images; this only keeps the request small.
 */
export async function ownImageBase64(file: File): Promise<string> {
  if (!/^image\//.test(file.type) && !/\.(png|jpe?g|webp|gif|bmp)$/i.test(file.name)) throw new Error(`${file.name} is not an image`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`${file.name}: not a readable image`);
  }
  const scale = Math.min(1, OWN_IMAGE_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const encoded = (type: string, quality?: number) => new Promise<Blob>((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(`${file.name}: could not be encoded`))), type, quality));
  const png = await base64Of(await encoded('image/png'));
  return png.length <= OWN_IMAGE_MAX_BASE64 ? png : base64Of(await encoded('image/jpeg', 0.92));
}
