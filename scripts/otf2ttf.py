"""Convert the CFF-outline font subset made by make-cjk-font.ts to TrueType (quadratic) outlines.

fontkit (used by pdf-lib) subsets TrueType fonts reliably but writes broken CID-keyed CFF
subsets, so the PDF export needs glyf outlines. Uses fontTools' cu2qu (Debian package
python3-fonttools); run by make-cjk-font.ts. Usage: otf2ttf.py IN.otf OUT.ttf
"""
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen

MAX_ERR = 1.0  # font units (of 1000 per em): invisible at any print size

def main(src, dst):
    font = TTFont(src, recalcTimestamp=False)
    order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    # Even glyph lengths: fontkit's subsetter writes the short loca format (offsets / 2) for small
    # subsets and copies each glyph's bytes as they are, so an odd length shifts every later glyph.
    glyf.padding = 4
    for name in order:
        pen = TTGlyphPen(gs)
        gs[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for k in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
              "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, k, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names (CID fonts have none worth keeping)
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(dst, reorderTables=True)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
