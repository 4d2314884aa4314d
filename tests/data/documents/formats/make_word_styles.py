"""Makes word-styles.docx with python-docx: Word's own built-in styles (see README.md)."""

import docx

doc = docx.Document()
doc.add_paragraph("Reports from the provinces", style="Title")
doc.add_heading("The Smolensk report", level=1)
para = doc.add_paragraph("The secretary of the guberniia committee wrote in ")
para.add_run("March 1924").italic = True
para.add_run(" that the levy had doubled the cells — and halved their meetings.")
doc.add_paragraph("He described one meeting:")
doc.add_paragraph("Of forty members present, thirty had joined since February; none could say who Plekhanov was.", style="Quote")
doc.add_paragraph("(Smolensk archive, WKP 33, l. 12.)")
doc.add_heading("What the report asked for", level=2)
doc.add_paragraph("more instructors from the centre", style="List Bullet")
doc.add_paragraph("a reading room in every cell", style="List Bullet")
doc.add_paragraph("Enrol the levy in the political schools.", style="List Number")
doc.add_paragraph("Report back by June.", style="List Number")
doc.add_paragraph("We cannot wait for the next congress.", style="Intense Quote")
table = doc.add_table(rows=3, cols=2)
for row, cells in zip(table.rows, [("Month", "New members"), ("January", "1,204"), ("February", "3,877")]):
    for cell, text in zip(row.cells, cells):
        cell.text = text
doc.add_paragraph("The figures are the committee’s own.")
doc.save("word-styles.docx")
