/**
 * Parses an image list in the format of AIOpsLab's kind/images.txt (read by its load_images.sh):
 * one image reference per line; blank lines and lines starting with `//` (upstream's comment
 * mark) or `#` are skipped. Duplicates are dropped, the first occurrence keeps its place.
 */
export function parseImageList(text: string): string[] {
  const images: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('//') || line.startsWith('#')) continue;
    if (seen.has(line)) continue;
    seen.add(line);
    images.push(line);
  }
  return images;
}
