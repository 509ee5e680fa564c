import { NS } from '../../../utils/metadata/xmp';
import { xmpPacket } from './builders';

export { app1Xmp, jpegWith } from './builders';
/** An XMP packet with a GB 45438 AIGC label (the aigc-label module reports it). */
export const NS_TC260_PACKET = xmpPacket('', '<TC260:AIGC>{&quot;Label&quot;:&quot;1&quot;,&quot;ContentProducer&quot;:&quot;x&quot;}</TC260:AIGC>', { TC260: NS.tc260 });
