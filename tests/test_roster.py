"""Class lists for --names: what is read, and a clear error naming the file and line for what is not."""

from __future__ import annotations

import pytest

from studypack.errors import RosterError, StudypackError
from studypack.roster import read_roster


def roster(tmp_path, text: str | bytes, name: str = "9X.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def names(path):
    return [s.name for s in read_roster(path).students]


def error(path) -> str:
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert isinstance(caught.value, StudypackError) and caught.value.exit_code == 1
    return caught.value.format_message()


def test_a_name_column_in_any_case_with_other_columns(tmp_path):
    path = roster(tmp_path, "UPN,Name,Class\nA1, Anna  Smith ,9X\nA2,Иван Петров,9X\n")
    students = read_roster(path).students
    assert [s.name for s in students] == ["Anna Smith", "Иван Петров"]
    assert [s.class_name for s in students] == ["9X", "9X"]
    assert [s.line for s in students] == [2, 3]


def test_first_and_last_name_columns_as_an_mis_export_has_them(tmp_path):
    path = roster(tmp_path, "Surname;Forename;Reg Group\nSmith;Anna;9X\nO'Neill;Seán;9Y\n")
    students = read_roster(path).students
    assert [s.name for s in students] == ["Anna Smith", "Seán O'Neill"]
    assert [s.class_name for s in students] == ["9X", "9Y"]


def test_utf8_with_a_byte_order_mark_and_windows_line_ends(tmp_path):
    path = roster(tmp_path, "\ufeffname\r\nZoë Brontë\r\n\r\nAli\r\n")
    assert names(path) == ["Zoë Brontë", "Ali"]


def test_a_plain_list_is_one_name_a_line_without_a_heading(tmp_path):
    path = roster(tmp_path, "Name\nAnna Smith\n\n  Ben Jones  \n", "9X.txt")
    assert names(path) == ["Name", "Anna Smith", "Ben Jones"]
    assert read_roster(path).slug == "9X"


def test_quoted_names_with_commas(tmp_path):
    path = roster(tmp_path, 'name,class\n"Smith, Anna",9X\n')
    assert names(path) == ["Smith, Anna"]


def test_an_empty_roster(tmp_path):
    assert "9X.csv: the class list has no names" in error(roster(tmp_path, ""))
    assert "the class list has no names" in error(roster(tmp_path, "name,class\n\n"))


def test_not_utf8_names_the_line(tmp_path):
    path = roster(tmp_path, "name\nAnna\nZo\xeb\n".encode("cp1252"))
    message = error(path)
    assert "9X.csv:3: the class list is not UTF-8 text" in message
    assert "CSV UTF-8" in message


def test_utf16_is_named(tmp_path):
    assert "UTF-16" in error(roster(tmp_path, "name\nAnna\n".encode("utf-16")))


def test_no_name_column_lists_the_headings_and_suggests(tmp_path):
    message = error(roster(tmp_path, "nmae,class\nAnna,9X\n"))
    assert "9X.csv:1: the class list has no 'name' column; its heading row has 'nmae', 'class'" in message
    assert "did you mean 'name'?" in message


def test_a_first_name_column_without_a_last_name_column(tmp_path):
    assert "has no last name (last_name, surname) column" in error(roster(tmp_path, "first_name\nAnna\n"))


def test_a_row_without_a_name_names_its_line(tmp_path):
    message = error(roster(tmp_path, "name,class\nAnna,9X\n,9X\n"))
    assert "9X.csv:3: this row has no name" in message


def test_a_name_twice_names_both_lines(tmp_path):
    message = error(roster(tmp_path, "name\nAnna Smith\nBen\nanna  smith\n"))
    assert "9X.csv:4: 'anna smith' is on the class list twice (also on line 2)" in message


def test_a_missing_file_and_a_folder(tmp_path):
    assert "no such class list file" in error(tmp_path / "absent.csv")
    (tmp_path / "folder.csv").mkdir()
    assert "this is a folder" in error(tmp_path / "folder.csv")


def test_the_slug_in_output_names_keeps_letters_of_any_script(tmp_path):
    assert read_roster(roster(tmp_path, "name\nA\n", "Year 9 (X).csv")).slug == "Year-9-X"
    assert read_roster(roster(tmp_path, "name\nA\n", "9Б.csv")).slug == "9Б"
