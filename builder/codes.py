"""The stable problem codes: each with a short title, its usual cause and the fix (English msgids)."""

from __future__ import annotations

from dataclasses import dataclass

from builder.errors import Message
from builder.i18n import N_, _


@dataclass(frozen=True)
class Code:
    """What one problem code means: a title, why it happens, how to fix it."""

    title: str
    cause: str
    fix: str


def say(code: str, message: str, /, **values: object) -> Message:
    """The problem `code` with `message` (an English msgid with {named} placeholders) in the chosen language."""
    if code not in CODES:
        raise KeyError(f"unknown problem code {code}")
    return Message(code, _(message).format(**values))


def again(message: Message, text: str, /, **values: object) -> Message:
    """A message that wraps another one (e.g. `row left out: …`), keeping its code."""
    return Message(message.code, _(text).format(reason=message.text, **values))


CODES: dict[str, Code] = {
    "GS101": Code(
        N_('site.yaml is missing'),
        N_('The folder given to gongshi has no site.yaml, so it is not a site folder (or the command was run in '
           'the wrong folder).'),
        N_('Run the command in the site folder (the one holding site.yaml and content/), or give that folder as '
           'SITE_DIR; `gongshi init` creates a new one.'),
    ),
    "GS102": Code(
        N_('A file cannot be read'),
        N_('The file is too large, or the system refused to read it (permissions, a broken disk).'),
        N_("Split a very large file into several (one per period), or check the file's permissions."),
    ),
    "GS103": Code(
        N_("Not a regular file in content/ or in a theme's static/"),
        N_("content/ holds a folder with a file's name, a broken or looping link, or a link to a file outside "
           "the site folder; or a theme's static/ folder in the site holds a broken link or a link to a file outside "
           "that folder."),
        N_('Replace the link by the file itself, or move the folder out of content/.'),
    ),
    "GS104": Code(
        N_('Wrong text encoding'),
        N_('The file is not UTF-8 text: usually a GBK/GB18030 file saved by Excel or an old editor, a UTF-16 '
           'file, or a file holding control characters.'),
        N_('Save the file as UTF-8 (in Excel: “CSV UTF-8”), or build with `--input-encoding gb18030`; delete '
           'control characters.'),
    ),
    "GS105": Code(
        N_('YAML syntax error'),
        N_("The YAML cannot be parsed: a missing colon or bracket, a full-width colon (：) instead of ':', a wrong "
           'indent, or a tab used for indenting.'),
        N_('Look at the line named and the line before it; indent with spaces only and put a space after every '
           'colon.'),
    ),
    "GS106": Code(
        N_('YAML feature not allowed'),
        N_('The file uses anchors and aliases (&name, *name), tags (!!type) or an absurd number of values; '
           'gongshi refuses them so that every value is written out plainly.'),
        N_('Write each value out in full and remove the tag.'),
    ),
    "GS107": Code(
        N_('Front matter missing or not closed'),
        N_('A Markdown file (warning or page) must start with a YAML block between two lines `---`.'),
        N_('Start the file with `---`, then the fields (title, date …), then `---`, then the text.'),
    ),
    "GS108": Code(
        N_("The file's shape is wrong"),
        N_('The file is empty, or its top level is not the mapping of fields this kind of file needs (for '
           'example a list instead of `period:`, `merchants:` …).'),
        N_('Compare the file with the examples that `gongshi init` writes and keep their layout.'),
    ),
    "GS109": Code(
        N_('Not a complaint file in content/complaints/'),
        N_('content/complaints/ and its sub-folders hold only complaint files (*.yaml): another file there (a '
           'workbook, a note) or a link to a folder would otherwise be silently ignored.'),
        N_('Move the file out of content/complaints/ (import a workbook with `gongshi import`); put a real folder '
           'there instead of a link.'),
    ),
    "GS201": Code(
        N_('Unknown field'),
        N_('A field name is not one gongshi knows, often a typing error (`titel`, `complaint`).'),
        N_('Use the name suggested in the message, or delete the field.'),
    ),
    "GS202": Code(
        N_('Field given twice'),
        N_('The same key appears twice in one mapping; only one value could be used.'),
        N_('Keep one of the two lines.'),
    ),
    "GS203": Code(
        N_('Required field missing or empty'),
        N_("A field every record of this kind needs is absent or empty (a merchant's 投诉量, a warning's text …)."),
        N_('Fill in the field; write 0 for a count that is zero.'),
    ),
    "GS204": Code(
        N_('Wrong kind of value'),
        N_('The field holds a different kind of value than expected: text where a list is needed, a list where a'
           ' mapping is needed, and so on.'),
        N_('Write the value in the shape shown in the message (compare with the examples of `gongshi init`).'),
    ),
    "GS205": Code(
        N_('Control character'),
        N_('The text holds an invisible control character, usually pasted from another program.'),
        N_('Delete the character (retype the text around the column named).'),
    ),
    "GS206": Code(
        N_('Text too long'),
        N_('The text is longer than the field allows.'),
        N_('Shorten the text; long explanations belong in a page or a warning.'),
    ),
    "GS207": Code(
        N_('Not a number'),
        N_('A count or a score is not written as a number (`十二`, `12.5` where a whole number is needed, `80%`).'),
        N_('Write the number in digits, e.g. `12`.'),
    ),
    "GS208": Code(
        N_('Number out of range'),
        N_('The number is negative, or larger than allowed (e.g. too many decimal places).'),
        N_('Correct the number; counts are 0 or more.'),
    ),
    "GS209": Code(
        N_('Not a real date'),
        N_('A date is not written YYYY-MM-DD, or is not a real day (`2026-02-30`, `2026/09/03` in a YAML file).'),
        N_('Write the date as YYYY-MM-DD, e.g. 2026-09-03.'),
    ),
    "GS210": Code(
        N_('Not a period'),
        N_('A disclosure period is not written in one of the accepted forms.'),
        N_('Write YYYY-MM (a month), YYYY-Qn (a quarter), YYYY-H1 / YYYY-H2 (a half year) or YYYY (a year).'),
    ),
    "GS211": Code(
        N_('Not one of the allowed values'),
        N_("The field accepts only a fixed set of values (a warning's type, a merchant's status, a value listed "
           'in content/taxonomy.yaml).'),
        N_('Use one of the values the message lists (the closest one is suggested).'),
    ),
    "GS212": Code(
        N_('Invalid 统一社会信用代码'),
        N_('The credit code does not have 18 characters, holds letters that are never used, or fails the GB '
           '32100 checksum: usually one character is mistyped.'),
        N_('Copy the code again from the business licence or the 国家企业信用信息公示系统; in Excel, format the '
           'column as text.'),
    ),
    "GS213": Code(
        N_('Unsafe id, slug or name'),
        N_('An id, slug or theme name holds characters that cannot be part of a web address.'),
        N_('Use lower-case letters, digits, - and _ only.'),
    ),
    "GS214": Code(
        N_('Not in the taxonomy'),
        N_('content/taxonomy.yaml lists the categories, demands and results a site uses; this value is not among'
           ' them.'),
        N_('Use a listed value (the closest one is suggested), or add the value to content/taxonomy.yaml.'),
    ),
    "GS215": Code(
        N_('Empty list'),
        N_('A list that must hold at least one entry is empty.'),
        N_('Add the entries, or remove the file if the period has nothing to disclose.'),
    ),
    "GS216": Code(
        N_('Dates in the wrong order'),
        N_("A complaint's date received lies after the end of the period, or its date handled lies before the "
           'date received.'),
        N_('Check both dates against the case file and correct the wrong one.'),
    ),
    "GS217": Code(
        N_('Bad address or setting'),
        N_('A setting in site.yaml is not in the expected form (an http(s) address, a telephone number, a '
           'language tag).'),
        N_('Write the setting as in the example of the message.'),
    ),
    "GS301": Code(
        N_('Listed twice'),
        N_('The same merchant (same credit code, id or name) or the same complaint appears twice where it may '
           'appear once.'),
        N_('Merge the two entries into one, or correct the credit code of the one that is wrong.'),
    ),
    "GS302": Code(
        N_('Figures that contradict each other'),
        N_('The counts of a merchant do not fit together: 办结量 larger than 投诉量, 调解成功 larger than 办结量, or '
           'more complaints listed than counted.'),
        N_('Check the figures against the statistics of the period and correct them.'),
    ),
    "GS303": Code(
        N_('Period given twice'),
        N_('Two files give a complaint summary (or a ranking) for the same period.'),
        N_('Keep one file per period; delete or rename the other.'),
    ),
    "GS304": Code(
        N_('Unknown merchant'),
        N_('A ranking or a warning names a merchant that no complaint summary lists.'),
        N_("Use the merchant's credit code, id or exact name as written in the complaint summary."),
    ),
    "GS305": Code(
        N_('Name or district changed'),
        N_('The same credit code has a different name or district in an earlier period (a warning; an error with'
           ' --strict).'),
        N_('Nothing, if the merchant really changed its name or moved; otherwise correct the newer file.'),
    ),
    "GS306": Code(
        N_('Page address taken'),
        N_('Two pages would be written to the same address, or a slug takes an address the site uses for its own'
           ' listings.'),
        N_('Give one of them another slug (or id).'),
    ),
    "GS401": Code(
        N_('Image or attachment not found'),
        N_('A warning or page names a file that is not there; often the upper and lower case of the name differ.'),
        N_('Put the file beside the Markdown file, or correct its name in the link (the same case as the file).'),
    ),
    "GS402": Code(
        N_('File path not allowed'),
        N_('The link leaves content/, starts with /, or holds characters that cannot be part of a file name.'),
        N_('Put images and attachments beside the Markdown file (or in a folder of content/) and link them by a '
           'relative path.'),
    ),
    "GS403": Code(
        N_('File type not published'),
        N_('Only some file types are published (images, PDF, OFD, Office files, ZIP); SVG can carry script and '
           'is never published.'),
        N_('Convert the file (e.g. SVG to PNG, a document to PDF); a link to another site must start with '
           'https://.'),
    ),
    "GS404": Code(
        N_('Image without alt text'),
        N_('An image has no description between the brackets; readers who cannot see it would get nothing.'),
        N_('Say what the image shows: ![现场照片](photo.jpg).'),
    ),
    "GS405": Code(
        N_('Broken or oversized file'),
        N_('The image or attachment cannot be read, is not what its extension says, or is larger than '
           'max_attachment_mb.'),
        N_('Export the file again in the right format, give it the right extension, or make it smaller.'),
    ),
    "GS501": Code(
        N_('Unmasked personal data'),
        N_("The text holds a consumer's mobile phone, ID card or bank card number or e-mail address; they must "
           'never be published.'),
        N_('Mask it (e.g. 139****5678) or build with --mask-personal-data.'),
    ),
    "GS502": Code(
        N_('Personal data masked'),
        N_('An import masked personal data in a cell (a note, not an error).'),
        N_('Nothing to do; check the cell if the masked value was not personal data.'),
    ),
    "GS601": Code(
        N_('Ranking given two ways'),
        N_('A ranking file gives both `weights` (gongshi computes the scores) and supplied `scores`, or fields '
           'that only supplied scores use.'),
        N_('Keep either `weights` or `scores` and the fields that belong to it.'),
    ),
    "GS602": Code(
        N_('Bad formula weights'),
        N_('The weights of a computed ranking are missing, empty or name a figure that cannot be weighed.'),
        N_('Give at least one of the figures the message lists, each with a number.'),
    ),
    "GS701": Code(
        N_('Spreadsheet cannot be read'),
        N_('The file given to `gongshi import` is of another type, damaged, encrypted, empty or too large.'),
        N_('Open the file in Excel or WPS and save it again as .xlsx (or as CSV UTF-8).'),
    ),
    "GS702": Code(
        N_('Sheet or header row not found'),
        N_('The sheet named by --sheet does not exist, or no header row naming known fields was found.'),
        N_('Name the sheet exactly, or name the columns with --map field=列名.'),
    ),
    "GS703": Code(
        N_('Columns cannot be matched'),
        N_('A field has no column, several columns name the same field, or a --map names a column that is not '
           'there.'),
        N_('Choose the column with --map field=列名 (or give one value with --default).'),
    ),
    "GS704": Code(
        N_('Bad import option'),
        N_('An option of `gongshi import` is not usable (--default, --department, --out …).'),
        N_('Correct the option as the message says.'),
    ),
    "GS705": Code(
        N_('Cell without a usable value'),
        N_('A cell holds an error value or a formula without a saved result.'),
        N_('Correct the formula, then open the file in Excel or WPS and save it again.'),
    ),
    "GS706": Code(
        N_('No rows to import'),
        N_('The sheet has no data rows under its header, or every row was left out.'),
        N_('Check that the right sheet and header row were read.'),
    ),
    "GS708": Code(
        N_('Column ignored'),
        N_('A column of the spreadsheet is not a field gongshi reads (a note, not an error).'),
        N_('Nothing to do; map it with --map if it should be read.'),
    ),
    "GS709": Code(
        N_('Row left out'),
        N_('A total row or a repeated row was left out (a note, not an error).'),
        N_('Nothing to do; check the row if it should have been counted.'),
    ),
    "GS710": Code(
        N_('Names merged or values chosen'),
        N_('Rows of one merchant were counted together, or one of several values was chosen (a note); an error '
           'when rows cannot be matched to a merchant.'),
        N_("Check the merchant's rows; fill in the missing credit code where the message asks."),
    ),
    "GS801": Code(
        N_('Template error'),
        N_("A template of the site's theme has an error (often in a template copied into themes/ and changed)."),
        N_("Correct the template at the line named, or delete the site's copy to use the built-in one."),
    ),
    "GS901": Code(
        N_('Output folder not usable'),
        N_('The output folder would be the site folder itself, lie inside content/ or themes/, or hold files '
           'that are not a previous build.'),
        N_('Choose a new or empty folder with --output (or leave it out: SITE_DIR/output).'),
    ),
    "GS902": Code(
        N_('Bad SOURCE_DATE_EPOCH'),
        N_('The environment variable SOURCE_DATE_EPOCH is not a number of seconds.'),
        N_('Set it to whole seconds since 1970-01-01, or unset it.'),
    ),
}
