"""Reading the PDFs the platform produces, as their readers would."""

import io


def qr_codes(pdf: bytes) -> list[str]:
    """The texts of the QR codes printed in the PDF, decoded by a real reader (zxing-cpp) from the embedded
    images, enlarged and given the quiet zone a printed page has around them."""
    import zxingcpp
    from PIL import ImageOps
    from pypdf import PdfReader

    texts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for embedded in page.images:
            image = embedded.image.convert("L")
            image = ImageOps.expand(image.resize((image.width * 8, image.height * 8), 0), border=40, fill=255)
            texts += [result.text for result in zxingcpp.read_barcodes(image)]
    return texts
