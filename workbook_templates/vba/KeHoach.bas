Attribute VB_Name = "KeHoach"
' The two buttons of the standard workbook (kehoach). Built into every macro-enabled template from
' workbook_templates/vba/KeHoach.bas by workbook_templates/vba_project.py: edit the source there, not in Excel.
'
' The buttons run fixed Python entry points, whatever the file is called, through RunPython of the xlwings
' module beside this one; the interpreter comes from the hidden sheet "xlwings.conf" (INTERPRETER_WIN).
' The project's code page cannot hold Vietnamese, so this source is ASCII and the Vietnamese message for a
' machine without the Python side is read from that sheet and shown with the Unicode MessageBoxW.
Option Explicit

#If Mac Then
#ElseIf VBA7 Then
Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, ByVal lpText As LongPtr, _
    ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, ByVal lpText As Long, _
    ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

Private Const VALIDATE_COMMAND As String = "from kehoach import xl_addin; xl_addin.validate()"
Private Const CLEAR_COMMAND As String = "from kehoach import xl_addin; xl_addin.clear()"
Private Const MB_ICONWARNING As Long = &H30

' Button "Kiem tra du lieu": check the workbook, mark the cells, write the report sheet.
Public Sub KiemTraDuLieu()
    If PythonInstalled() Then RunPython VALIDATE_COMMAND
End Sub

' Button "Xoa danh dau": remove the marks of the last check.
Public Sub XoaDanhDau()
    If PythonInstalled() Then RunPython CLEAR_COMMAND
End Sub

Private Function PythonInstalled() As Boolean
    #If Mac Then
        ' The Mac interpreter is found by xlwings itself; staff use Windows.
        PythonInstalled = True
    #Else
        ' The path holds the user's folder, which may have Vietnamese letters: GetConfig expands it with
        ' WScript (Unicode) and the FileSystemObject checks it (Unicode), not VBA's file functions.
        Dim interpreter As String
        interpreter = GetConfig("INTERPRETER_WIN", "")
        If interpreter <> "" And CreateObject("Scripting.FileSystemObject").FileExists(interpreter) Then
            PythonInstalled = True
        Else
            ShowNotice GetConfig("KEHOACH_NO_PYTHON", "Python is not installed."), GetConfig("KEHOACH_TITLE", "kehoach")
        End If
    #End If
End Function

Private Sub ShowNotice(ByVal text As String, ByVal title As String)
    #If Mac Then
        MsgBox text, vbExclamation, title
    #Else
        MessageBoxW Application.hWnd, StrPtr(text), StrPtr(title), MB_ICONWARNING
    #End If
End Sub
