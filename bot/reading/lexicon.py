"""The words of status messages, by the role they play, over normalised text (see
`normalize`: folded, teen code and loan words already plain).

The roles, not a list of whole replies: a completion word ("xong"), a delivery verb that is a
completion only with its aspect ("đã gửi", "nộp rồi"), a negation and what it scopes, a
promise, a pause or blocker, a decline, work going on, work remaining. `clauses` tags a clause
with these in a fixed order; an earlier role's words are not read again by a later one, so
"chưa xong" is a negated completion, never also a completion.
"""

from __future__ import annotations

import re

# Words that end a reply without adding to it.
PARTICLES = r"(?: (?:a|anh|chi|em|nhe|nha|nhi|oi|u|vang|day|do|ne|thoi|ban|sep|ha|luon|roi|ca|het|ak))*"
DONE = r"(?:xong(?: xuoi)?|hoan thanh|hoan tat|ket thuc|thanh cong)"
# Verbs that finish the task when said with their aspect ("đã gửi", "gửi rồi").
DELIVER = (
    r"(?:gui|nop|ban hanh|phat hanh|post|chuyen|to chuc|bao cao|thuc hien|tham muu|xay dung|ky"
    r"|in|phat (?:cho|den|toi|ve)|co (?:van ban|bao cao|ke hoach|quyet dinh|cong van|<doc>))"
)
FINISH = rf"(?:{DONE}|{DELIVER})"
NEG = r"(?:khong|chua|chang|van chua|van khong|chua he|khong he)"
_BETWEEN = r"(?: (?:the|duoc|lam|kip|he|co|hoan toan|da|van|gui))*"


def _c(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


# Blockers that are said not to exist: "không vướng gì", "chưa có khó khăn", "hết vướng".
NO_BLOCKER = _c(
    r"\b(?:khong|chua|het|khong con|chang)(?: co)?(?: gi)?(?: (?:vuong|kho khan|van de|tro ngai)(?: mac)?)+(?: gi)?\b",
    r"\bkhong phat sinh (?:vuong|kho khan|van de|sai sot|loi|su co)",
    r"\b(?:vuong(?: mac)?|kho khan)(?: ,)?(?: (?:vuong(?: mac)?|kho khan))* :"
    r" (?:khong|chua)(?: co)?(?: gi)?(?= [.;,]|$)",
)
# Not done because it cannot be done now, or because something it needs is missing: a
# blocker, read before the negations ("chưa có văn bản chỉ đạo" is no negated "có văn bản").
CANNOT = _c(
    r"\b(?:khong|chua) the\b",
    r"\bkhong (?!xong|hoan|kip|biet|co\b|phai|sao|ro)\w+(?: \w+)? duoc\b",  # "không nhập được"
    r"\b(?:chua|khong) co (?:kinh phi|huong dan|chi dao|van ban (?:chi dao|huong dan)|so lieu|mat bang"
    r"|y kien chi dao|quyet dinh|nguon|nguoi|can bo|nhan luc|may|tien)",
    r"\b(?:chua|khong) (?:nhan|duoc cap|duoc giao|co) (?:duoc )?(?:van ban|huong dan|kinh phi|chi dao|so lieu)",
)
NOT_DONE = _c(
    rf"\b{NEG}{_BETWEEN} {FINISH}\b",
    rf"\b{FINISH}(?: \w+){{0,2}} (?<!bat )dau\b",  # "xong đâu", "đã xong đâu", "xong gì đâu"
    rf"\bdau (?:da|co|ma)(?: \w+)? {FINISH}\b",  # "đâu đã xong"
    rf"\b{FINISH}(?: \w+)? thi (?:chua|khong)\b",  # "hoàn thành thì chưa"
    rf"\bcon lau moi(?: \w+)? {FINISH}\b",  # "còn lâu mới xong"
    rf"\blam gi (?:da |ma )?{FINISH}\b",
    rf"\bkhong phai (?:la )?(?:da )?{FINISH}\b",
    rf"\b{NEG}(?: \w+)? kip\b",  # "không kịp", "chưa gửi kịp"
)
NOT_STARTED = _c(
    r"\b(?:van )?chua (?:lam|trien khai|bat dau|thuc hien|dong (?:toi|den|vao)|co ke hoach|tien hanh)\b"
    r"(?! (?:xong|duoc|het|kip|hoan thanh))",
    r"\b(?:tuan|thang|nam) (?:sau|toi) moi (?:trien khai|bat dau|lam|thuc hien)\b",
    rf"^(?:vang |em |van |ben em |phong em )*chua(?: dau)?{PARTICLES}$",
)
BLOCKED = _c(
    r"\bvuong\b",
    r"\b(?:gap )?kho khan\b",
    r"\b(?:bi tac|un tac|tac nghen|bi ket|dang ket)\b|\bket (?:o|tai|thu tuc|khau|ben)\b",
    r"(?<!con )\bthieu (?:kinh phi|nguoi|nhan luc|can bo|so lieu|may|thiet bi|van ban|huong dan|nhan su|mat bang)",
    r"\bchua co van ban\b",
    r"\bcho (?:\w+ )?(?:huong dan|chi dao|kinh phi|y kien chi dao|van ban (?:huong dan|chi dao))",
    r"\bkho (?:qua|lam)\b",
    r"\btam (?:dung|hoan|ngung|gac)\b|\bhoan lai\b|\bdung lai\b|\bgia han\b|\b(?:lui|doi) han\b"
    r"|\bxin (?:them|keo dai) thoi gian\b",
    r"\b(?:bi|dang) loi\b|\b(?:phan_ mem|he thong|mang|may(?: tinh)?|web|trang) (?:\w+ )?loi\b"
    r"|\bloi (?:he thong|phan_ mem|mang|ky thuat|ket noi)\b",
    r"\b(?:bi )?hong\b",
    r"\b(?:vi|do|boi vi|tai vi) (?:chua co|khong co|thieu|chua nhan duoc)\b",
    r"\bkhong hop tac\b|\b(?:chua|khong) (?:duyet|cap|bo tri|phan bo|giao) (?:kinh phi|tien|von)\b|\bhet kinh phi\b",
)
DECLINED = _c(
    r"\bkhong (?:co )?phat sinh\b(?! (?:vuong|kho khan|van de|sai sot|loi|su co))",
    r"\bkhong (?:ap dung|lien quan)\b",
    r"\bkhong thuoc\b",
    r"\bkhong (?:co|duoc giao) (?:nhiem vu|doi tuong|truong hop)",
    r"\bkhong co (?:ho|nguoi|doi tuong|truong hop|don vi|to chuc|co so)(?: \w+)? nao\b",
    r"\bkhong duoc (?:giao|phan_? cong)\b",
    r"\bkhong phai (?:la )?(?:viec|nhiem vu|cua|ben|phong|don vi)\b",
    r"\b(?:viec|nhiem vu|cai) (?:nay|do|ay) (?:la )?(?:cua|ben|thuoc)"
    r" (?!em\b|minh\b|toi\b|chung\b|phong em|don vi em|ben em)",
    r"\bde nghi chuyen (?:nhiem vu|viec|cong viec)\b",
    r"\bnham don vi\b|\bkhong (?:phai )?(?:la )?(?:don vi )?chu tri\b",
    r"\b(?:nam nay|ky nay|ki nay|trong ky|trong ki|dot nay) khong (?:to chuc|thuc hien|trien khai)\b",
)
# A completion said to come: "sắp xong", "đang hoàn thành", "gần như xong", "sẽ gửi".
NEAR = _c(rf"\b(?:dang|sap|gan|gan nhu|hau nhu|se|sap sua|chuan bi|de|nham)(?: \w+){{0,2}} (?!bao cao){FINISH}\b")
# Waiting for a signature or an approval: "đã trình chủ tịch ký", "chờ lãnh đạo duyệt".
PENDING = _c(
    r"\btrinh(?: \w+){0,3} (?:ky|duyet|phe duyet)\b",
    r"\bcho (?:lanh dao |chu tich |sep |phong \w+ |\w+ )?(?:ky|duyet|phe duyet|ban hanh)\b",
)
# A completion whose object is itself work ("hoàn thành việc rà soát"): one completion.
DONE_WORD = _c(
    rf"\b{DONE}(?: (?:viec|cong tac|nhiem vu))?(?: (?:ra soat|khao sat|tong hop|trien khai|thuc hien|xay dung"
    r"|tap huan|soan thao|lay y kien|bao cao))?\b"
)
DELIVERED = _c(rf"\b{DELIVER}\b")
REMAINING = _c(
    r"(?<!khong )\bcon (?!lau\b|gi\b|nua\b|khong\b)\w+",
    r"(?<!kiem )\btra (?:lai|ve)\b|\b(?:lam lai|sua lai|bo sung)\b",
)
PROGRESS = _c(
    r"\bdang (?!(?:hop|ban|di|nghi|om|benh|o|xem|doc|hoc|cong tac)\b)\w+",
    r"\btiep tuc\b|\blam (?:tiep|do)\b|\b(?:sap|gan) roi\b",
    r"\bcho (?:lanh dao |chu tich |phong \w+ )?(?:ky|duyet|phe duyet|y kien|ket qua|tham dinh|xac nhan)\b",
    r"\b(?:lay|xin|tiep thu) y kien\b|\btong hop\b|\btiep thu\b|\btrinh\b|\bhoan thien\b|\bsoan thao\b",
    r"\bra soat\b|\bkhao sat\b|\bbat dau\b|\btien hanh\b|\bdang cho\b",
    r"\bduoc (?:mot it|mot chut|it|kha nhieu|nhieu|mot phan|phan nao|mot so)\b",
    r"\bco (?:ban )?(?:du thao|ban nhap|de cuong)\b",  # "đã có bản dự thảo": a draft, work going on
    # A day alone as the answer ("mai ạ", "thứ 6 tuần sau"): a promise.
    rf"^(?:chac |khoang |tam |de )?(?:mai|ngay mai|mai mot|tuan (?:sau|toi|nay)|thang (?:sau|toi)|cuoi (?:tuan|thang)"
    rf"|thu \w+(?: (?:nay|tuan sau|tuan toi))?|(?:chieu|toi) nay){PARTICLES}$",
)
WEAK_PROGRESS = _c(r"\btrien khai\b|\bthuc hien\b|\bphoi hop\b|\bxay dung\b")
# A bare "rồi" ("rồi ạ", "làm rồi anh", "ok rồi"): done is likely, not certain.
MAYBE_DONE = _c(rf"^(?:vang |ok |da |em |lam |da lam |em lam |co |cung |lam het |tam |on )*roi{PARTICLES}$")
# Something else the clause says not to be done: "chưa in", "bước 2 chưa".
NEGATED_OTHER = _c(
    r"\b(?:chua|khong|chang) (?!co\b|phai\b|sao\b|gi\b|con\b|chac\b)\w+",
    rf"\b(?:chua|khong|chang){PARTICLES}$",
)

# Flags over a clause.
ASPECT_BEFORE = re.compile(r"\b(?:da|vua|hom qua|tuan truoc|thang truoc|sang nay)\b")
ASPECT_AFTER = re.compile(r"\b(?:roi|xong)\b")
FUTURE = _c(
    r"\b(?:mai|ngay mot|tuan (?:sau|toi)|thang (?:sau|toi)|nam (?:sau|toi)|du kien|sap|se|nua|phan dau|hen"
    r"|lat|de em|trong tuan|cham nhat|ngay day|toi day)\b",
    r"\bcuoi (?:tuan|thang|nam)\b(?! truoc)",
    r"\b(?:truoc|den) (?:ngay|\d)",
    # a wish or a must, not a fact: "hy vọng xong sớm", "cố gắng xong", "phải xong trước 30/6"
    r"\b(?:hy vong|mong|co gang|du dinh|muon|can phai|som thoi|nhanh thoi)\b|\bphai (?:xong|hoan thanh|gui|nop)\b",
    # a condition: "nếu xong", "khi xong", "xong em báo anh", "làm xong thì gửi"
    r"\b(?:neu|khi)\b",
    rf"\b{DONE} (?:thi|la)\b|\b{DONE} (?:em|minh|toi|ben em) (?:se )?(?:bao|gui|nop|chuyen)\b",
)
# A day named without "đã"/"rồi": "thứ 6 này em gửi", "chiều nay xong".
SOFT_FUTURE = _c(
    r"(?<!hom )(?<!tu )\bthu (?:\d|hai|ba|tu|nam|sau|bay)\b(?! (?:tuan )?truoc)",
    r"\b(?:chieu|toi|sang|trua|hom|tuan|thang) nay\b",
)
HEDGE = _c(
    r"\b(?:co ban|hinh nhu|coi nhu|thi phai|tuong doi|chinh sua|xem lai|kiem tra lai|chua chac|khong chac)\b",
    r"\bchac(?! chan)\b",
    r"\btam (?=(?:xong|on|hoan thanh|duoc))",
)
PARTIAL = _c(
    r"\bphan\b(?! tram)",
    r"\b(?:buoc|giai doan|dot|muc|noi dung|khau) (?:\d+|mot|hai|ba|dau|dau_)\b",
    r"\b(?:mot so|hau het|phan lon|mot vai|da so|mot it)\b",
    r"\b(?:ban )?du thao\b|\bban nhap\b|\bkhung\b|\bde cuong\b|\btru\b",
    r"\bmoi (?:xong|hoan thanh|lam) duoc\b|\bgan het\b",
)
# "tưởng xong rồi ai dè…", "lẽ ra xong rồi", "định gửi hôm qua": the done did not happen.
COUNTERFACTUAL = _c(
    r"\b(?:tuong|le ra|dang_? le|suyt|ai de|hoa ra)\b",
    r"\bdinh (?=gui|nop|lam|xong)",
)
THOUGHT_DONE = re.compile(r"\b(?:tuong|le ra|dang_? le)\b(?: \w+){0,3} roi\b")
QUESTION = _c(
    r"\b(?:khi nao|bao gio|o dau|qua dau|di dau|gui dau|the nao|nhu the nao|ra sao|la gi|cho ai|ai phu trach"
    r"|ai lam|gi vay|gi the|mau nao|hay khong|phai khong|duoc khong)\b",
    rf"\b(?:{FINISH}|lam|roi){PARTICLES} (?:chua|khong){PARTICLES}$",  # "xong chưa anh", "xong không"
    rf"^(?:.* )?co (?:.+ )?khong{PARTICLES}$",  # "có cần … không ạ"
    r"\bai ha\b|\bha (?:anh|chi|em)$",
)
